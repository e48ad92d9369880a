namespace CityTwin.Domain.Tests;

/// <summary>Small valid assets of each type, to be bent by one field per test.</summary>
internal static class Build
{
    public static readonly GeoPoint Brussels = new(4.35, 50.85);

    public static Asset Pole(string id = "pole-1") => new() { Id = id, Type = AssetType.Pole, District = "d01", Location = Brussels, Pole = new PoleState { LampOn = true, PowerW = 60 } };

    public static Asset Camera(string id = "cam-1") => new() { Id = id, Type = AssetType.Camera, District = "d01", Location = Brussels, Camera = new CameraState() };

    public static Asset Intersection(string id = "int-1") => new() { Id = id, Type = AssetType.Intersection, District = "d01", Location = Brussels, Intersection = new IntersectionState() };

    public static Asset Link(string id = "leo-1") => new() { Id = id, Type = AssetType.Link, District = "d01", Location = Brussels, Link = new LinkState { SatelliteId = "sat-0001" } };
}
