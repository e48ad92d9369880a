using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Events;

namespace CityTwin.Contracts.Feed;

/// <summary>One event of a district's feed: an asset change or an alarm change (exactly one is set), as the streams carry them.</summary>
[GenerateSerializer, Immutable, SuppressReferenceTracking, Alias("FeedEvent")]
public sealed record FeedEvent(
    [property: Id(0)] AssetChange? Change,
    [property: Id(1)] AlarmChange? Alarm);
