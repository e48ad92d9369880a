namespace CityTwin.Contracts.Scenarios;

/// <summary>Where a what-if run is: waiting for a slot, running, or done one way or another.</summary>
[GenerateSerializer, Alias("ScenarioStatus")]
public enum ScenarioStatus
{
    Unknown,
    Queued,
    Running,
    Completed,
    Failed,
    Cancelled,
}
