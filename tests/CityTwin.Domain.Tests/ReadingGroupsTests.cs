using CityTwin.Domain.Ingest;

namespace CityTwin.Domain.Tests;

public sealed class ReadingGroupsTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 0, 0, TimeSpan.Zero);

    private static TelemetryReading At(string id, int? seconds) => new(id, new Telemetry { Timestamp = seconds is { } s ? Now.AddSeconds(s) : null });

    [Fact]
    public void Each_assets_readings_come_oldest_first_and_the_assets_in_the_order_they_first_appear()
    {
        TelemetryReading[] batch =
        [
            At("pole-b", 5), At("pole-a", 1), At("pole-b", null), At("pole-b", 2), At("pole-c", 0), At("pole-b", 2), At("pole-a", 0),
        ];

        var groups = ReadingGroups.Of(batch);

        Assert.Equal(["pole-b", "pole-a", "pole-c"], groups.Select(g => g.Id));
        // pole-b: 2 s (twice: batch order kept), 5 s, then the one without a timestamp (stamped on arrival: newest).
        Assert.Equal([3, 5, 0, 2], groups[0].Positions);
        Assert.Equal([6, 1], groups[1].Positions);
        Assert.Equal([4], groups[2].Positions);
    }

    [Fact]
    public void A_batch_naming_each_asset_once_keeps_its_order()
    {
        var batch = Enumerable.Range(0, 1_000).Select(i => At($"cam-{i:D4}", 1_000 - i)).ToArray();

        var groups = ReadingGroups.Of(batch);

        Assert.Equal(Enumerable.Range(0, 1_000), groups.Select(g => Assert.Single(g.Positions)));
        Assert.Empty(ReadingGroups.Of([]));
    }
}
