namespace CityTwin.Contracts.Alarms;

/// <summary>A page of alarms in alarm id order after a cursor, and how many match in all.</summary>
[GenerateSerializer, Immutable, Alias("AlarmPage")]
public sealed record AlarmPage(
    [property: Id(0)] Alarm[] Items,
    [property: Id(1)] int Total);
