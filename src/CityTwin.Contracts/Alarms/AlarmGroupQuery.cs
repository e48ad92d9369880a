namespace CityTwin.Contracts.Alarms;

/// <summary>
/// Which alarms to group by root cause: active or not (null: both), shelved or not (null: both), of these asset types
/// only (the caller's scope in the district; null: all).
/// </summary>
[GenerateSerializer, Immutable, Alias("AlarmGroupQuery")]
public sealed record AlarmGroupQuery(
    [property: Id(0)] bool? Active,
    [property: Id(1)] bool? Shelved,
    [property: Id(2)] AssetType[]? Types);
