namespace CityTwin.Domain.Assets;

/// <summary>An intersection approach; per-approach arrays are indexed by this value.</summary>
[GenerateSerializer, Alias("Approach")]
public enum Approach
{
    North = 0,
    East = 1,
    South = 2,
    West = 3,
}
