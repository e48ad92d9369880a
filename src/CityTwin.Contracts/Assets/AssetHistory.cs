namespace CityTwin.Contracts.Assets;

/// <summary>
/// One change of an asset's state as an operator reads it: its status before and after, and what else changed
/// (<c>"feedOnline: true → false"</c>, <c>"backhaul: down"</c>, …). Kept in the asset's persisted log.
/// </summary>
[GenerateSerializer, Immutable, Alias("StateChange")]
public sealed record StateChange(
    [property: Id(0)] DateTimeOffset At,
    [property: Id(1)] long Version,
    [property: Id(2)] AssetStatus? Previous,
    [property: Id(3)] AssetStatus Status,
    [property: Id(4)] string[] Changes);

/// <summary>A reading as it was received, in the asset's bounded in-memory buffer.</summary>
[GenerateSerializer, Immutable, Alias("ReceivedReading")]
public sealed record ReceivedReading([property: Id(0)] DateTimeOffset ReceivedAt, [property: Id(1)] Telemetry Reading);

/// <summary>An asset's recent history, newest first: its persisted state-change log and its last readings.</summary>
[GenerateSerializer, Immutable, Alias("AssetHistory")]
public sealed record AssetHistory(
    [property: Id(0)] string Id,
    [property: Id(1)] StateChange[] Changes,
    [property: Id(2)] ReceivedReading[] Telemetry);
