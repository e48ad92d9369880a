using CityTwin.Contracts.Events;

namespace CityTwin.Grains.Backhaul;

[GenerateSerializer, Alias("BackhaulGrainState")]
public sealed class BackhaulGrainState
{
    [Id(0)] public Dictionary<string, AssetType> Dependents { get; set; } = [];
    [Id(1)] public LinkSignal? Last { get; set; }
}
