using CityTwin.Domain.Alarms;

namespace CityTwin.Contracts.Alarms;

/// <summary>
/// One district's share of a root cause's alarms; the API merges the districts' shares by <see cref="RootId"/>, as a
/// link in one district can serve assets in others. <see cref="Root"/> is the root's own alarm when it is in this
/// district; the counts are of its consequences (index = <see cref="AlarmSeverity"/>, and by asset type).
/// </summary>
[GenerateSerializer, Immutable, Alias("AlarmGroupPart")]
public sealed record AlarmGroupPart
{
    [Id(0)] public required string RootId { get; init; }
    [Id(1)] public Alarm? Root { get; init; }
    /// <summary>The chain's last entry, "{root}: what happened".</summary>
    [Id(2)] public required string Cause { get; init; }
    [Id(3)] public int[] BySeverity { get; init; } = [];
    [Id(4)] public Dictionary<AssetType, int> ByType { get; init; } = [];
    [Id(5)] public DateTimeOffset FirstRaisedAt { get; init; }
    [Id(6)] public DateTimeOffset LastRaisedAt { get; init; }
    /// <summary>Alarms of the group (root included) no one has acknowledged.</summary>
    [Id(7)] public int Unacknowledged { get; init; }
    /// <summary>The group's shelf in this district, if one is in force.</summary>
    [Id(8)] public AlarmShelf? Shelved { get; init; }

    public int Members => BySeverity.Sum();
}
