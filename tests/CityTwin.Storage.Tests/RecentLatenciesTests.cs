namespace CityTwin.Storage.Tests;

/// <summary>A wait learnt from the latest answers: the API's hedge delay and an asset read's wait for its district.</summary>
public sealed class RecentLatenciesTests
{
    private static readonly TimeSpan Ms = TimeSpan.FromMilliseconds(1);

    [Fact]
    public void Until_its_window_is_full_the_wait_is_the_longest()
    {
        var latencies = new RecentLatencies(window: 8, percentile: 99, min: 2 * Ms, max: 100 * Ms);
        for (var i = 0; i < 7; i++) latencies.Record(Ms);
        Assert.Equal(100 * Ms, latencies.Wait);
        latencies.Record(Ms);
        Assert.Equal(2 * Ms, latencies.Wait); // the answers' 1 ms, raised to the shortest wait
    }

    [Fact]
    public void The_wait_is_the_percentile_of_the_latest_answers_within_its_bounds()
    {
        var latencies = new RecentLatencies(window: 100, percentile: 95, min: 2 * Ms, max: 100 * Ms);
        for (var i = 1; i <= 100; i++) latencies.Record(i * 0.5 * Ms); // 0.5 … 50 ms
        Assert.Equal(48 * Ms, latencies.Wait); // the 96th of 100

        // Slow answers replace the oldest (a quarter window at a time), and the wait follows them — up to its bound.
        for (var i = 0; i < 25; i++) latencies.Record(400 * Ms);
        Assert.Equal(100 * Ms, latencies.Wait);
        for (var i = 0; i < 100; i++) latencies.Record(10 * Ms);
        Assert.Equal(10 * Ms, latencies.Wait);
    }
}
