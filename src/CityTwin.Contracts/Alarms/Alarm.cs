using CityTwin.Domain.Alarms;

namespace CityTwin.Contracts.Alarms;

/// <summary>One alarm: raised once per asset and kind while the condition lasts, cleared when it ends, acknowledged by an operator.</summary>
[GenerateSerializer, Immutable, Alias("Alarm")]
public sealed record Alarm
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string District { get; init; }
    [Id(2)] public required string AssetId { get; init; }
    [Id(3)] public AssetType AssetType { get; init; }
    [Id(4)] public AlarmKind Kind { get; init; }
    [Id(5)] public AlarmSeverity Severity { get; init; }
    /// <summary>The asset's condition first, the root cause last.</summary>
    [Id(6)] public string[] Cause { get; init; } = [];
    [Id(7)] public DateTimeOffset RaisedAt { get; init; }
    [Id(8)] public DateTimeOffset? ClearedAt { get; init; }
    [Id(9)] public DateTimeOffset? AcknowledgedAt { get; init; }
    [Id(10)] public string? AcknowledgedBy { get; init; }
    [Id(11)] public string? Note { get; init; }
    /// <summary>The shelf keeping it off the active board (its own or its root cause's), filled in when listed; never stored.</summary>
    [Id(12)] public AlarmShelf? Shelved { get; init; }
    /// <summary>
    /// A consequential alarm whose root cause's own alarm is active: suppressed by design, the root stands for it.
    /// Filled in when listed; never stored.
    /// </summary>
    [Id(13)] public bool Suppressed { get; init; }

    public bool Active => ClearedAt is null;

    /// <summary>The root cause this alarm is grouped under (see <see cref="AlarmRoots"/>).</summary>
    public string Root => AlarmRoots.Of(AssetId, Cause);

    /// <summary>The root cause's own alarm: its asset is the root. Every other alarm is a consequence.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsRoot => Root == AssetId;

    /// <summary>Alarm ids are "alm-{district}-{number}": the district is what locates the alarm.</summary>
    public static string? DistrictOf(string alarmId)
    {
        if (!alarmId.StartsWith("alm-", StringComparison.Ordinal)) return null;
        var dash = alarmId.LastIndexOf('-');
        return dash > 4 && long.TryParse(alarmId.AsSpan(dash + 1), out _) ? alarmId[4..dash] : null;
    }
}
