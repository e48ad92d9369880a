using CityTwin.Domain.Scenarios;
using Orleans.Concurrency;

namespace CityTwin.Contracts.Scenarios;

/// <summary>
/// A sweep's hands on one silo (keyed <c>{sweepId}/{epoch}/{silo}</c>, placed there by the coordinator): fetches the
/// snapshot once, runs what it is handed under the silo's scenario slots, and reports each outcome. Holds nothing
/// durable: if its silo dies, the coordinator hands its runs again. Its methods interleave, so the coordinator may
/// hand it work while it reports.
/// </summary>
[Alias("ISweepWorkerGrain")]
public interface ISweepWorkerGrain : IGrainWithStringKey
{
    /// <summary>Queues a run; returns at once.</summary>
    [Alias("Run"), AlwaysInterleave]
    Task RunAsync(string sweepId, int epoch, SweepRun run);

    /// <summary>The runs it holds (queued, running, or finished and not yet acknowledged).</summary>
    [Alias("Holding"), AlwaysInterleave]
    Task<int[]> HoldingAsync();

    /// <summary>Stops every run it holds and lets the activation go: the sweep is over for it.</summary>
    [Alias("Cancel"), AlwaysInterleave]
    Task CancelAsync();
}
