using CityTwin.Contracts.Events;

namespace CityTwin.Grains.Backhaul;

[GenerateSerializer, Alias("BackhaulGrainState")]
public sealed class BackhaulGrainState
{
    [Id(0)] public Dictionary<string, AssetType> Dependents { get; set; } = [];
    [Id(1)] public LinkSignal? Last { get; set; }
    /// <summary>The last signal every dependent was sent; behind <see cref="Last"/> while a fan-out is under way.</summary>
    [Id(2)] public LinkSignal? FannedOut { get; set; }
}
