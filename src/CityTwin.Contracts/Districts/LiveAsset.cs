namespace CityTwin.Contracts.Districts;

/// <summary>
/// What a district holds of one asset: the sequence of the asset's last change it applied (0: none), the asset with
/// the newest readings the district applied (null: none since the district activated) and, from its storage, what the
/// asset's devices last reported (null: nothing stored). The asset grain overlays the newer of them on its own state.
/// </summary>
[GenerateSerializer, Immutable, Alias("LiveAsset")]
public sealed record LiveAsset([property: Id(0)] long Sequence, [property: Id(1)] Asset? Asset, [property: Id(2)] Telemetry? Reported = null)
{
    public static readonly LiveAsset None = new(0, null);

    /// <summary><paramref name="target"/> with the newer readings this holds.</summary>
    public Asset Over(Asset target) => Asset is { } live ? TelemetryRules.Overlay(target, live) : TelemetryRules.Overlay(target, Reported);
}
