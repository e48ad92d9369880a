namespace CityTwin.Contracts.City;

/// <summary>The city's read-model statistics: every district's last report (ordered by id) and when the newest arrived.</summary>
[GenerateSerializer, Immutable, Alias("CityStats")]
public sealed record CityStats(
    [property: Id(0)] DistrictReport[] Districts,
    [property: Id(1)] DateTimeOffset? UpdatedAt);
