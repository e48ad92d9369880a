using CityTwin.Domain.Alarms;

namespace CityTwin.Contracts.Alarms;

/// <summary>
/// Which alarms to list: at least this severity, active or not (null: both), newest first, at most <paramref name="Limit"/>.
/// <paramref name="Shelved"/>: only shelved ones, none of them, or both (null). <paramref name="SuppressingRoots"/>: the
/// root causes whose own alarm is active (the API gathers them city-wide): their consequences are marked
/// <see cref="Alarm.Suppressed"/>, and <paramref name="Suppressed"/> filters on that mark (null: both).
/// </summary>
[GenerateSerializer, Immutable, Alias("AlarmQuery")]
public sealed record AlarmQuery(
    [property: Id(0)] AlarmSeverity? MinSeverity,
    [property: Id(1)] bool? Active,
    [property: Id(2)] int Limit,
    [property: Id(3)] bool? Shelved = null,
    [property: Id(4)] string[]? SuppressingRoots = null,
    [property: Id(5)] bool? Suppressed = null);
