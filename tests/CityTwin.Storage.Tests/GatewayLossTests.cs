namespace CityTwin.Storage.Tests;

/// <summary>Reads caught by a lost gateway connection are sent again (GatewayLoss.cs); nothing else is.</summary>
public class GatewayLossTests
{
    [Fact]
    public async Task A_read_that_answers_is_sent_once()
    {
        var loss = new GatewayLoss();
        var sent = 0;
        Assert.Equal(7, await loss.ReadAsync(() => { sent++; return Task.FromResult(7); }));
        Assert.Equal(1, sent);
    }

    [Fact]
    public async Task A_read_waiting_when_a_gateway_connection_is_lost_is_sent_again()
    {
        var loss = new GatewayLoss();
        var lost = new TaskCompletionSource<int>(); // the request that went through the dead gateway: never answered
        var sent = 0;
        var read = loss.ReadAsync(() => ++sent == 1 ? lost.Task : Task.FromResult(42));
        Assert.False(read.IsCompleted);

        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(1, 2, connectionRecovered: false);
        Assert.Equal(42, await read.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.Equal(2, sent);
        lost.SetException(new TimeoutException("the response timeout, 30 s later")); // observed, not unobserved
    }

    [Fact]
    public async Task A_new_gateway_connection_sends_nothing_again()
    {
        var loss = new GatewayLoss();
        var answer = new TaskCompletionSource<int>();
        var sent = 0;
        var read = loss.ReadAsync(() => { sent++; return answer.Task; });
        ((IClusterConnectionStatusObserver)loss).NotifyGatewayCountChanged(2, 1, connectionRecovered: false);
        await Task.Delay(50);
        Assert.Equal(1, sent);
        answer.SetResult(3);
        Assert.Equal(3, await read);
    }

    [Fact]
    public async Task A_read_is_sent_again_at_most_twice()
    {
        var loss = new GatewayLoss();
        var calls = new List<TaskCompletionSource<int>>();
        var read = loss.ReadAsync(() => { var call = new TaskCompletionSource<int>(); calls.Add(call); return call.Task; });
        for (var lost = 0; lost < 5; lost++)
        {
            ((IClusterConnectionStatusObserver)loss).NotifyClusterConnectionLost();
            await Task.Delay(50);
        }
        Assert.Equal(1 + GatewayLoss.MaxResends, calls.Count);
        calls[^1].SetResult(9);
        Assert.Equal(9, await read.WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
