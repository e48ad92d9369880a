using CityTwin.Domain.Scenarios;

namespace CityTwin.Contracts.Scenarios;

/// <summary>
/// One signal-plan optimisation, keyed by id: validates, captures the snapshot, searches off the grain scheduler in a
/// scenario slot, keeps the result; then an operator may apply the best plans to the live intersections — all of them
/// or none — and revert them, each plan's before and after kept.
/// </summary>
[Alias("IOptimisationGrain")]
public interface IOptimisationGrain : IGrainWithStringKey
{
    const string IdPrefix = "opt-";

    [Alias("Start")]
    Task<ScenarioStartResult> StartAsync(OptimiseSpec spec);

    [Alias("Get")]
    Task<OptimisationView?> GetAsync();

    [Alias("Cancel")]
    Task<OptimisationView?> CancelAsync();

    /// <summary>Sets every intersection's best plan, if each still runs the plan the search started from; otherwise none.</summary>
    [Alias("Apply")]
    Task<PlanChangeResult> ApplyAsync(string by);

    /// <summary>Puts back the plans the apply replaced, if each intersection still runs the applied one; otherwise none.</summary>
    [Alias("Revert")]
    Task<PlanChangeResult> RevertAsync(string by);
}
