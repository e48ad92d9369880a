namespace CityTwin.Domain.Assets;

/// <summary>The kinds of street infrastructure the twin models.</summary>
[GenerateSerializer, Alias("AssetType")]
public enum AssetType
{
    Pole,
    Camera,
    Intersection,
    Link,
}
