using CityTwin.Contracts.Scenarios;

namespace CityTwin.Grains.Scenarios;

[GenerateSerializer, Alias("ScenarioGrainState")]
public sealed class ScenarioGrainState
{
    /// <summary>Null until a scenario is started under this id.</summary>
    [Id(0)] public ScenarioView? View { get; set; }
}
