namespace CityTwin.Contracts.Scenarios;

[GenerateSerializer, Immutable, Alias("ScenarioStartResult")]
public sealed record ScenarioStartResult(
    [property: Id(0)] ScenarioStartOutcome Outcome,
    [property: Id(1)] ValidationError[] Errors);
