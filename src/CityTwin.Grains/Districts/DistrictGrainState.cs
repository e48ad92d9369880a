namespace CityTwin.Grains.Districts;

[GenerateSerializer, Alias("DistrictGrainState")]
public sealed class DistrictGrainState
{
    [Id(0)] public Dictionary<string, AssetSummary> Assets { get; set; } = [];
}
