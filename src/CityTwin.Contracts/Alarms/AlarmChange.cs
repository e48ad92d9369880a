namespace CityTwin.Contracts.Alarms;

/// <summary>
/// An alarm as it was raised, updated (severity or cause), cleared or acknowledged, with its district's active
/// alarm counts by severity right after (index = <see cref="CityTwin.Domain.Alarms.AlarmSeverity"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("AlarmChange")]
public sealed record AlarmChange(
    [property: Id(0)] Alarm Alarm,
    [property: Id(1)] AlarmChangeKind Kind,
    [property: Id(2)] DateTimeOffset SentAt,
    [property: Id(3)] int[] DistrictActive);
