namespace CityTwin.Domain.Alarms;

/// <summary>A condition an asset's state calls for an alarm about, with its cause chain (the asset first, the root cause last).</summary>
[GenerateSerializer, Immutable, Alias("AlarmCondition")]
public sealed record AlarmCondition(
    [property: Id(0)] AlarmKind Kind,
    [property: Id(1)] AlarmSeverity Severity,
    [property: Id(2)] string[] Cause);
