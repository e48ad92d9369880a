namespace CityTwin.Grains.Assets;

[GenerateSerializer, Alias("AssetGrainState")]
public sealed class AssetGrainState
{
    [Id(0)] public Asset? Asset { get; set; }
}
