using CityTwin.Domain.Scenarios;
using Orleans.Concurrency;

namespace CityTwin.Contracts.Scenarios;

/// <summary>
/// One sweep, keyed by sweep id: captures the snapshot once, hands its runs to a <see cref="ISweepWorkerGrain"/> on
/// every silo of the cluster (a few at a time each, so faster silos take more), keeps every run's outcome and folds
/// them into KPI bands. Survives its own silo (a reminder restarts it) and its workers' (their runs are handed again).
/// </summary>
[Alias("ISweepGrain")]
public interface ISweepGrain : IGrainWithStringKey
{
    /// <summary>Prefix of the ids the API generates.</summary>
    const string IdPrefix = "swp-";

    [Alias("Start")]
    Task<ScenarioStartResult> StartAsync(SweepSpec sweep);

    /// <summary>Status, progress and the bands so far; with <paramref name="includeRuns"/>, every run's outcome. Null if no sweep has this id.</summary>
    [Alias("Get")]
    Task<SweepView?> GetAsync(bool includeRuns);

    /// <summary>Cancels a queued or running sweep (its runs in flight stop); the view after, or null if no sweep has this id.</summary>
    [Alias("Cancel")]
    Task<SweepView?> CancelAsync();

    /// <summary>For its workers: the snapshot the runs of <paramref name="epoch"/> share; null when that epoch is over.</summary>
    [Alias("GetSnapshot"), AlwaysInterleave]
    Task<TwinSnapshot?> GetSnapshotAsync(int epoch);

    /// <summary>For its workers: a run's outcome. False when the sweep no longer wants the epoch's runs (finished, cancelled, restarted).</summary>
    [Alias("Finished")]
    Task<bool> FinishedAsync(int epoch, SweepRunOutcome outcome);
}
