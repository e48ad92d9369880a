namespace CityTwin.Contracts.Scenarios;

/// <summary>What became of a request to start a scenario.</summary>
[GenerateSerializer, Alias("ScenarioStartOutcome")]
public enum ScenarioStartOutcome
{
    /// <summary>Queued (or running): poll the scenario.</summary>
    Accepted,
    /// <summary>The spec broke a rule: see the errors.</summary>
    Invalid,
    /// <summary>The silo's scenario queue is full: try again later.</summary>
    QueueFull,
    /// <summary>A scenario with this id already exists.</summary>
    Exists,
}
