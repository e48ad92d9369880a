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

    /// <summary>One alarm, with its shelf filled in; null if the district has no such alarm.</summary>
    [Alias("Get")]
    Task<Alarm?> GetAsync(string alarmId);

    /// <summary>The district's alarms grouped by root cause, one part per root.</summary>
    [Alias("GetGroups")]
    Task<AlarmGroupPart[]> GetGroupsAsync(AlarmGroupQuery query);

    /// <summary>The roots the district's active consequences cite and the active root alarms it holds.</summary>
    [Alias("GetRoots")]
    Task<AlarmRootsPart> GetRootsAsync();

    /// <summary>A root cause's consequential alarms (its own alarm excluded), in id order after <paramref name="after"/>, at most <paramref name="limit"/>.</summary>
    [Alias("ListMembers")]
    Task<AlarmPage> ListMembersAsync(string rootId, AlarmGroupQuery query, string? after, int limit);

    /// <summary>Acknowledges every unacknowledged alarm of a root cause (its own and its consequences, active or cleared, of these types); written through. Returns how many it acknowledged and how many the group has.</summary>
    [Alias("AcknowledgeGroup")]
    Task<(int Acknowledged, int Total)> AcknowledgeGroupAsync(string rootId, string? by, string? note, AssetType[]? types);

    /// <summary>Shelves one active alarm; null if the district has no such active alarm.</summary>
    [Alias("Shelve")]
    Task<Alarm?> ShelveAsync(string alarmId, AlarmShelf shelf);

    /// <summary>Shelves a root cause's alarms in the district, those raised later while the shelf lasts included; returns how many active alarms it hides now.</summary>
    [Alias("ShelveGroup")]
    Task<int> ShelveGroupAsync(string rootId, AlarmShelf shelf);

    /// <summary>Takes an alarm's own shelf off; false if it had none.</summary>
    [Alias("Unshelve")]
    Task<bool> UnshelveAsync(string alarmId);

    /// <summary>Takes a root cause's shelf off; false if the district had none.</summary>
    [Alias("UnshelveGroup")]
    Task<bool> UnshelveGroupAsync(string rootId);
}
