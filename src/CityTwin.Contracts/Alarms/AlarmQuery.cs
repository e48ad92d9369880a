using CityTwin.Domain.Alarms;

namespace CityTwin.Contracts.Alarms;

/// <summary>Which alarms to list: at least this severity, active or not (null: both), newest first, at most <paramref name="Limit"/>.</summary>
[GenerateSerializer, Immutable, Alias("AlarmQuery")]
public sealed record AlarmQuery(
    [property: Id(0)] AlarmSeverity? MinSeverity,
    [property: Id(1)] bool? Active,
    [property: Id(2)] int Limit);
