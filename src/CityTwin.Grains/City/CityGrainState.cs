namespace CityTwin.Grains.City;

[GenerateSerializer, Alias("CityGrainState")]
public sealed class CityGrainState
{
    [Id(0)] public HashSet<string> Districts { get; set; } = [];
    [Id(1)] public bool SeedingClaimed { get; set; }
}
