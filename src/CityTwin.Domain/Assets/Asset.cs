using CityTwin.Domain.Geo;

namespace CityTwin.Domain.Assets;

/// <summary>
/// An asset's configuration and live state. Exactly one of <see cref="Pole"/>, <see cref="Camera"/>,
/// <see cref="Intersection"/>, <see cref="Link"/> is set, the one matching <see cref="Type"/>.
/// </summary>
[GenerateSerializer, Alias("Asset")]
public sealed record Asset
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required AssetType Type { get; init; }
    [Id(2)] public string Name { get; init; } = "";
    [Id(3)] public GeoPoint Location { get; init; }
    [Id(4)] public required string District { get; init; }
    [Id(5)] public AssetStatus Status { get; init; } = AssetStatus.Operational;
    [Id(6)] public AssetDependencies Dependencies { get; init; } = AssetDependencies.None;
    [Id(7)] public PoleState? Pole { get; init; }
    [Id(8)] public CameraState? Camera { get; init; }
    [Id(9)] public IntersectionState? Intersection { get; init; }
    [Id(10)] public LinkState? Link { get; init; }
    /// <summary>Bumped on every applied change; events carry it so late deliveries never flip state back.</summary>
    [Id(11)] public long Version { get; init; }
    [Id(12)] public DateTimeOffset UpdatedAt { get; init; }
    /// <summary>Device timestamp of the newest telemetry applied; older readings are ignored.</summary>
    [Id(13)] public DateTimeOffset? TelemetryAt { get; init; }
    /// <summary>
    /// The status an operator (or an import) set. <see cref="Status"/> is what the twin shows: this, or worse
    /// when the asset's own state or its dependencies say so (see <see cref="Cascades.CascadeRules"/>).
    /// </summary>
    [Id(14)] public AssetStatus OperatorStatus { get; init; } = AssetStatus.Operational;
    /// <summary>What the asset last heard from its backhaul link and its power supply.</summary>
    [Id(15)] public Upstream Upstream { get; init; } = Upstream.Normal;

    [System.Text.Json.Serialization.JsonIgnore]
    public AssetSummary Summary => new(Id, Type, Status, Location);

    /// <summary>The asset with the live-attribute slot of its type filled with defaults if missing.</summary>
    public Asset WithDefaults() => Type switch
    {
        AssetType.Pole => Pole is null ? this with { Pole = new PoleState() } : this,
        AssetType.Camera => Camera is null ? this with { Camera = new CameraState() } : this,
        AssetType.Intersection => Intersection is null ? this with { Intersection = new IntersectionState() } : this,
        AssetType.Link => Link is null ? this with { Link = new LinkState() } : this,
        _ => this,
    };

    /// <summary>
    /// The same asset sharing what thousands of assets hold alike (district, feeder and backhaul ids, empty
    /// arrays) instead of one copy each: a silo keeps up to a million of these in memory.
    /// </summary>
    public Asset Compact() => this with
    {
        District = SharedNames.Of(District),
        Dependencies = Dependencies with
        {
            BackhaulLinkId = Dependencies.BackhaulLinkId is { } link ? SharedNames.Of(link) : null,
            PowerFeederId = Dependencies.PowerFeederId is { } feeder ? SharedNames.Of(feeder) : null,
            Neighbours = Dependencies.Neighbours is { Length: 0 } ? [] : Dependencies.Neighbours,
        },
        Pole = Pole is { Sensors.Length: 0 } ? Pole with { Sensors = [] } : Pole,
        Upstream = Upstream == Upstream.Normal ? Upstream.Normal : Upstream,
    };

    /// <summary>Same configuration and live attributes, ignoring version and timestamps.</summary>
    public bool SameContentAs(Asset other) =>
        AssetComparer.SameContent(this, other);
}
