namespace CityTwin.Contracts.Alarms;

/// <summary>A district's alarms, fed by its assets' changes. Keyed by district id.</summary>
[Alias("IAlarmGrain")]
public interface IAlarmGrain : IGrainWithStringKey
{
    [Alias("List")]
    Task<Alarm[]> ListAsync(AlarmQuery query);

    /// <summary>Active alarms by severity, index = <see cref="CityTwin.Domain.Alarms.AlarmSeverity"/>.</summary>
    [Alias("GetActiveCounts")]
    Task<int[]> GetActiveCountsAsync();

    /// <summary>Records an operator's acknowledgement before it returns; null if the district has no such alarm.</summary>
    [Alias("Acknowledge")]
    Task<Alarm?> AcknowledgeAsync(string alarmId, string? by, string? note);

    /// <summary>The district's changes that telemetry caused, coalesced per window by its silo (see the silo's ChangeCoalescer).</summary>
    [Alias("OnChanges")]
    Task OnChangesAsync(CityTwin.Contracts.Events.AssetChange[] changes);
}
