namespace CityTwin.Contracts.Districts;

/// <summary>
/// What a district holds of one asset: the sequence of the asset's last change it applied (0: none) and the asset with
/// the newest readings the district applied (null: none yet), which the asset grain overlays on its own state.
/// </summary>
[GenerateSerializer, Immutable, Alias("LiveAsset")]
public sealed record LiveAsset([property: Id(0)] long Sequence, [property: Id(1)] Asset? Asset)
{
    public static readonly LiveAsset None = new(0, null);
}
