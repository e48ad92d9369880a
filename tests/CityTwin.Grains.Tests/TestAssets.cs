namespace CityTwin.Grains.Tests;

internal static class TestAssets
{
    private static int _next;

    /// <summary>A fresh id per call, so tests sharing the cluster never meet.</summary>
    public static string NewId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _next):D6}-{Guid.NewGuid():N}"[..40];

    public static Asset Pole(string? id = null, string district = "d-test", double dim = 100, string? link = null, string? feeder = null) => new()
    {
        Id = id ?? NewId("pole"),
        Type = AssetType.Pole,
        Name = "Pole on Main St",
        Location = new GeoPoint(4.35, 50.85),
        District = district,
        Dependencies = new AssetDependencies { BackhaulLinkId = link, PowerFeederId = feeder },
        Pole = new PoleState { LampOn = true, DimLevel = dim, RatedPowerW = 90 },
    };

    public static Asset Intersection(string? id = null, string district = "d-test", string? link = null, string? feeder = null) => new()
    {
        Id = id ?? NewId("int"),
        Type = AssetType.Intersection,
        Location = new GeoPoint(4.35, 50.85),
        District = district,
        Dependencies = new AssetDependencies { BackhaulLinkId = link, PowerFeederId = feeder },
        Intersection = new IntersectionState(),
    };

    public static Asset Camera(string intersection, Approach approach, string district = "d-test", string? link = null, string? feeder = null) => new()
    {
        Id = NewId("cam"),
        Type = AssetType.Camera,
        Location = new GeoPoint(4.35, 50.85),
        District = district,
        Dependencies = new AssetDependencies { BackhaulLinkId = link, PowerFeederId = feeder, WatchedIntersectionId = intersection },
        Camera = new CameraState { Approach = approach },
    };

    public static Asset Link(string? id = null, string district = "d-test") => new()
    {
        Id = id ?? NewId("leo"),
        Type = AssetType.Link,
        Location = new GeoPoint(4.36, 50.86),
        District = district,
        Link = new LinkState(),
    };
}
