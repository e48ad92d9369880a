namespace CityTwin.Contracts.City;

/// <summary>
/// The city's read-model statistics: every district's last report (ordered by id), when the newest arrived, and a
/// version that changes with every report (so a reader that has this version need not fetch it again).
/// </summary>
[GenerateSerializer, Immutable, Alias("CityStats")]
public sealed record CityStats(
    [property: Id(0)] DistrictReport[] Districts,
    [property: Id(1)] DateTimeOffset? UpdatedAt,
    [property: Id(2)] long Version);
