using CityTwin.Domain.Alarms;

namespace CityTwin.Contracts.Events;

/// <summary>
/// What a district needs to know of one asset after a change: its summary, its share of the district's aggregates
/// and its alarm conditions. <paramref name="Left"/>: the asset moved to another district. Ordered per asset by
/// <paramref name="Sequence"/>; <paramref name="CauseAt"/> is when the cascade that led here began (null: not a cascade).
/// <paramref name="Asset"/> is the whole asset as its grain holds it, for the district that keeps its live telemetry
/// (<c>docs/architecture.md#telemetry-ingest</c>).
/// </summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("AssetChange")]
public sealed record AssetChange(
    [property: Id(0)] AssetSummary Summary,
    [property: Id(1)] long Sequence,
    [property: Id(2)] bool Left,
    [property: Id(3)] double PowerDrawW,
    [property: Id(4)] double DegreeOfSaturation,
    [property: Id(5)] AlarmCondition[] Alarms,
    [property: Id(6)] DateTimeOffset? CauseAt,
    [property: Id(7)] DateTimeOffset SentAt,
    [property: Id(8)] string? Barrier = null,
    [property: Id(9)] double[]? Attributes = null,
    [property: Id(10)] Asset? Asset = null)
{
    /// <summary>
    /// A marker a district sends down its own stream: stream delivery keeps queue order, so when the marker comes back
    /// every change published before it has been applied.
    /// </summary>
    public static AssetChange Marker(string barrier, DateTimeOffset now) => new(default, 0, false, 0, 0, [], null, now, barrier);
}
