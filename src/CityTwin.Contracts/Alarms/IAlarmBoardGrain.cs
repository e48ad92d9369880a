namespace CityTwin.Contracts.Alarms;

/// <summary>
/// The city's alarm board: active alarm counts by severity across districts, kept by an explicit subscription to each
/// district's alarm stream (persisted in the pub-sub store, so it survives restarts). One per twin, key <see cref="Key"/>.
/// </summary>
[Alias("IAlarmBoardGrain")]
public interface IAlarmBoardGrain : IGrainWithStringKey
{
    const string Key = "city";

    /// <summary>Subscribes to a district's alarms (idempotent).</summary>
    [Alias("Watch")]
    Task WatchAsync(string districtId);

    /// <summary>Active alarms by severity, index = <see cref="CityTwin.Domain.Alarms.AlarmSeverity"/>.</summary>
    [Alias("GetActiveCounts")]
    Task<int[]> GetActiveCountsAsync();
}
