using CityTwin.Contracts.Districts;
using CityTwin.Domain.Queries;

namespace CityTwin.Contracts.City;

/// <summary>
/// What a district tells the city about itself (at most every report interval, when something changed): its counts and
/// KPIs for <c>/api/stats</c>, and the box its assets lie in so area queries ask only the districts they overlap.
/// </summary>
[GenerateSerializer, Immutable, Alias("DistrictReport")]
public sealed record DistrictReport(
    [property: Id(0)] string District,
    [property: Id(1)] int Total,
    [property: Id(2)] StatusCount[] Counts,
    [property: Id(3)] double PowerDrawKw,
    [property: Id(4)] double CongestionIndex,
    [property: Id(5)] double OfflineRatio,
    [property: Id(6)] int CamerasWithoutFeed,
    [property: Id(7)] int LinksDown,
    [property: Id(8)] GeoBox? Bounds,
    [property: Id(9)] DateTimeOffset At);
