using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace CityTwin.Observability.Tests;

/// <summary>
/// Every process keeps thread-pool workers beyond its cores, so a socket's work does not wait behind Orleans' long
/// turns when a silo takes over a dead one (ServiceDefaults' <c>ThreadPoolFloor</c>).
/// </summary>
public sealed class ThreadPoolFloorTests
{
    [Fact]
    public void A_process_keeps_four_workers_a_core_ready_by_default()
    {
        WebApplication.CreateSlimBuilder().RaiseThreadPoolFloor();
        ThreadPool.GetMinThreads(out var workers, out _);
        Assert.True(workers >= 4 * Environment.ProcessorCount, $"the pool's floor is {workers} workers on {Environment.ProcessorCount} cores");
    }

    [Theory, InlineData("0"), InlineData("5000")]
    public void A_floor_out_of_range_stops_the_start_naming_the_setting_and_its_range(string floor)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Configuration[ThreadPoolFloor.Key] = floor;
        var refused = Assert.Throws<InvalidOperationException>(() => builder.RaiseThreadPoolFloor());
        Assert.Contains($"{ThreadPoolFloor.Key} is {floor}", refused.Message);
        Assert.Contains("between 1 and 1,000", refused.Message);
    }
}
