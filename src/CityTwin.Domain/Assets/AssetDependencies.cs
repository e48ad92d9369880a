namespace CityTwin.Domain.Assets;

/// <summary>What an asset depends on: the physical and cyber links along which failures cascade.</summary>
[GenerateSerializer, Alias("AssetDependencies")]
public sealed record AssetDependencies
{
    /// <summary>The LEO link that carries this asset's data (poles, cameras, intersections).</summary>
    [Id(0)] public string? BackhaulLinkId { get; init; }
    /// <summary>The power feeder (circuit) the asset hangs on; feeders are named, not modelled as grains.</summary>
    [Id(1)] public string? PowerFeederId { get; init; }
    /// <summary>The intersection a camera watches.</summary>
    [Id(2)] public string? WatchedIntersectionId { get; init; }
    /// <summary>Outgoing road links of an intersection.</summary>
    [Id(3)] public RoadLink[] Neighbours { get; init; } = [];

    public static readonly AssetDependencies None = new();

    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsEmpty => BackhaulLinkId is null && PowerFeederId is null && WatchedIntersectionId is null && Neighbours.Length == 0;

    /// <summary>Every asset id this one depends on, with the type that id must have.</summary>
    public IEnumerable<(string Field, string Id, AssetType Type)> AssetReferences()
    {
        if (BackhaulLinkId is not null) yield return ("dependencies.backhaulLinkId", BackhaulLinkId, AssetType.Link);
        if (WatchedIntersectionId is not null) yield return ("dependencies.watchedIntersectionId", WatchedIntersectionId, AssetType.Intersection);
        for (var i = 0; i < Neighbours.Length; i++)
            yield return ($"dependencies.neighbours[{i}].intersectionId", Neighbours[i].IntersectionId, AssetType.Intersection);
    }
}
