namespace CityTwin.Grains.Districts;

/// <summary>
/// What a district keeps of one asset: its summary and live attributes (the read model's entry), the sequence of the
/// asset grain's last change applied here, its share of the aggregates, and the asset itself with the newest readings
/// (the live telemetry the district applies without the grain; in memory only: what is stored of it is
/// <see cref="Reported"/>, a few fields rather than the whole asset). <see cref="Shown"/> is the last sequence the feed
/// showed of it: readings applied here are shown under sequences of their own, above the grain's.
/// </summary>
[GenerateSerializer, Immutable, Alias("DistrictMember")]
public readonly record struct DistrictMember(
    [property: Id(0)] AssetSummary Summary,
    [property: Id(1)] long Sequence,
    [property: Id(2)] double PowerDrawW,
    [property: Id(3)] double DegreeOfSaturation,
    [property: Id(4)] double[]? Attributes,
    [property: Id(5)] Telemetry? Reported = null,
    [property: Id(6)] long Shown = 0)
{
    /// <summary>In memory only (no <c>Id</c>, and not a constructor parameter, which a record would serialise).</summary>
    [field: NonSerialized]
    public Asset? Asset { get; init; }

    /// <summary>The entry for <paramref name="asset"/> as it is now (derived), under the given sequences.</summary>
    public static DistrictMember Of(Asset asset, long sequence, long shown, Telemetry? reported) =>
        new(asset.Summary, sequence, asset.Pole?.DrawW() ?? 0, asset.Intersection?.DegreeOfSaturation ?? 0, AssetAttributes.Read(asset), reported, shown) { Asset = asset };
}
