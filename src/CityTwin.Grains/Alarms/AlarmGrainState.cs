using CityTwin.Contracts.Alarms;

namespace CityTwin.Grains.Alarms;

[GenerateSerializer, Alias("AlarmGrainState")]
public sealed class AlarmGrainState
{
    [Id(0)] public long LastNumber { get; set; }
    /// <summary>Asset id → its active alarms (at most one per kind).</summary>
    [Id(1)] public Dictionary<string, Alarm[]> Active { get; set; } = [];
    /// <summary>Cleared alarms, oldest first, at most <see cref="AlarmGrain.RecentLimit"/>.</summary>
    [Id(2)] public List<Alarm> Cleared { get; set; } = [];
    /// <summary>Last applied change sequence of each asset that has raised an alarm, so a late change cannot re-raise a cleared one.</summary>
    [Id(3)] public Dictionary<string, long> Sequences { get; set; } = [];
    /// <summary>Alarm id → the shelf an operator put that active alarm on (dropped when it clears or expires).</summary>
    [Id(4)] public Dictionary<string, AlarmShelf> ShelvedAlarms { get; set; } = [];
    /// <summary>Root cause id → the shelf an operator put its alarms on, those raised later included (dropped when it expires).</summary>
    [Id(5)] public Dictionary<string, AlarmShelf> ShelvedGroups { get; set; } = [];
}
