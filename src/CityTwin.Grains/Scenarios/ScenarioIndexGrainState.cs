namespace CityTwin.Grains.Scenarios;

[GenerateSerializer, Alias("ScenarioIndexGrainState")]
public sealed class ScenarioIndexGrainState
{
    /// <summary>Newest first, at most <see cref="Contracts.Scenarios.IScenarioIndexGrain.Capacity"/>.</summary>
    [Id(0)] public List<string> Ids { get; set; } = [];
}
