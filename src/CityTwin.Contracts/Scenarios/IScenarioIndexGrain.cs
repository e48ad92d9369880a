namespace CityTwin.Contracts.Scenarios;

/// <summary>The most recent scenarios' ids, newest first (one per twin, key <see cref="Key"/>; sweeps' under <see cref="SweepsKey"/>, optimisations' under <see cref="OptimisationsKey"/>).</summary>
[Alias("IScenarioIndexGrain")]
public interface IScenarioIndexGrain : IGrainWithStringKey
{
    const string Key = "scenarios";
    const string SweepsKey = "sweeps";
    const string OptimisationsKey = "optimisations";
    const int Capacity = 100;

    [Alias("Add")]
    Task AddAsync(string scenarioId);

    [Alias("Recent")]
    Task<string[]> RecentAsync(int limit);
}
