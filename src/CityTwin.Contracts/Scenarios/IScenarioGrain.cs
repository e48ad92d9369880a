using CityTwin.Domain.Scenarios;

namespace CityTwin.Contracts.Scenarios;

/// <summary>
/// One what-if run, keyed by scenario id: validates the spec, captures the live twin read-only (or takes the assets
/// inline), runs baseline and variant off the grain scheduler under the silo's scenario limiter, and keeps the result.
/// </summary>
[Alias("IScenarioGrain")]
public interface IScenarioGrain : IGrainWithStringKey
{
    /// <summary>Prefix of the ids the API generates.</summary>
    const string IdPrefix = "scn-";
    /// <summary>A spec's snapshotId naming the whole live city; any other snapshotId names a live district.</summary>
    const string CitySnapshot = "city";

    [Alias("Start")]
    Task<ScenarioStartResult> StartAsync(ScenarioSpec spec);

    /// <summary>Status, progress and (with <paramref name="includeResult"/>) the result; null if no scenario has this id.</summary>
    [Alias("Get")]
    Task<ScenarioView?> GetAsync(bool includeResult);

    /// <summary>Cancels a queued or running scenario; the view after, or null if no scenario has this id.</summary>
    [Alias("Cancel")]
    Task<ScenarioView?> CancelAsync();
}
