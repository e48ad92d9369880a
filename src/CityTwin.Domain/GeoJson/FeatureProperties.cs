using CityTwin.Domain.Assets;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// The <c>properties</c> of an asset's GeoJSON Feature: the asset less its id and position (the Feature's own
/// members), less twin metadata (version, timestamps) and with what the twin derives at neutral values (see
/// <see cref="Cascades.CascadeRules.Configuration"/>), so an export re-imports to the same bytes.
/// Every member is optional here; the reader reports the required ones by name.
/// </summary>
internal sealed record FeatureProperties
{
    public AssetType? Type { get; init; }
    public string? Name { get; init; }
    public string? District { get; init; }
    public AssetStatus? Status { get; init; }
    public AssetDependencies? Dependencies { get; init; }
    public PoleState? Pole { get; init; }
    public CameraState? Camera { get; init; }
    public IntersectionState? Intersection { get; init; }
    public LinkState? Link { get; init; }

    public static FeatureProperties Of(Asset asset)
    {
        var a = Cascades.CascadeRules.Configuration(asset);
        return new()
        {
            Type = a.Type,
            Name = a.Name.Length == 0 ? null : a.Name,
            District = a.District,
            Status = a.Status,
            Dependencies = a.Dependencies.IsEmpty ? null : a.Dependencies,
            Pole = a.Pole,
            Camera = a.Camera,
            Intersection = a.Intersection,
            Link = a.Link,
        };
    }
}
