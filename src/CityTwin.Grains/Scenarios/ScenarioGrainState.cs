using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Grains.Scenarios;

[GenerateSerializer, Alias("ScenarioGrainState")]
public sealed class ScenarioGrainState
{
    /// <summary>Null until a scenario is started under this id.</summary>
    [Id(0)] public ScenarioView? View { get; set; }
    /// <summary>The spec it was started with: a run its silo took down is started again from it.</summary>
    [Id(1)] public ScenarioSpec? Spec { get; set; }
}
