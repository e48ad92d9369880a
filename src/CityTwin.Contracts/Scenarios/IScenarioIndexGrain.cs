namespace CityTwin.Contracts.Scenarios;

/// <summary>The most recent scenarios' ids, newest first (one per twin, key <see cref="Key"/>).</summary>
[Alias("IScenarioIndexGrain")]
public interface IScenarioIndexGrain : IGrainWithStringKey
{
    const string Key = "scenarios";
    const int Capacity = 100;

    [Alias("Add")]
    Task AddAsync(string scenarioId);

    [Alias("Recent")]
    Task<string[]> RecentAsync(int limit);
}
