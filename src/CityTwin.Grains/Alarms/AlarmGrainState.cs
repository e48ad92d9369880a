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
}
