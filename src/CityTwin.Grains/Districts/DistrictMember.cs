namespace CityTwin.Grains.Districts;

/// <summary>
/// What a district keeps of one asset: its summary and live attributes (the read model's entry), its last applied
/// sequence and its share of the aggregates.
/// </summary>
[GenerateSerializer, Immutable, Alias("DistrictMember")]
public readonly record struct DistrictMember(
    [property: Id(0)] AssetSummary Summary,
    [property: Id(1)] long Sequence,
    [property: Id(2)] double PowerDrawW,
    [property: Id(3)] double DegreeOfSaturation,
    [property: Id(4)] double[]? Attributes);
