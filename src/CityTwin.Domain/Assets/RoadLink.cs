namespace CityTwin.Domain.Assets;

/// <summary>A directed road segment from one intersection to a neighbouring one.</summary>
[GenerateSerializer, Immutable, Alias("RoadLink")]
public sealed record RoadLink
{
    [Id(0)] public required string IntersectionId { get; init; }
    [Id(1)] public double LengthM { get; init; } = 200;
    [Id(2)] public int Lanes { get; init; } = 2;
    [Id(3)] public double SpeedLimitKmh { get; init; } = 50;
}
