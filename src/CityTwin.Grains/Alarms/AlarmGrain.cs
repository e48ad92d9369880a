using CityTwin.Grains.Streams;
using CityTwin.Contracts.Alarms;
using CityTwin.Grains.Metrics;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Core;

namespace CityTwin.Grains.Alarms;

/// <summary>
/// A district's alarms, fed by its <c>changes</c> stream beside the district aggregate. One alarm per asset and
/// kind while the condition lasts (repeated or replayed changes are deduplicated), cleared when it ends, kept a
/// while for the record; acknowledgements are written through, the rest behind (the assets can say it again).
/// </summary>
[ImplicitStreamSubscription(TwinStreams.Changes)]
public sealed class AlarmGrain : Grain, IAlarmGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<AssetChange>
{
    public const int RecentLimit = 1_000;

    private readonly IPersistentState<AlarmGrainState> _state;
    private readonly WriteBehind _writes;
    private readonly TimeProvider _time;
    private readonly TwinMetrics _metrics;

    public AlarmGrain(
        [PersistentState("alarms", StorageNames.Assets)] IPersistentState<AlarmGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        TwinMetrics metrics,
        IOptions<TwinOptions> options)
    {
        _state = state;
        _time = time;
        _metrics = metrics;
        _writes = new WriteBehind(this, _state.WriteStateAsync, options.Value.DistrictWriteBehind);
    }

    private AlarmGrainState State => _state.State;

    private string District => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var alarm in State.Active.Values.SelectMany(a => a)) _metrics.AddAlarms(alarm.Severity, +1);
        return Task.CompletedTask;
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<AssetChange>().ResumeAsync(this);

    /// <summary>
    /// A batch of the district's changes (a cascade delivers hundreds at once): applied one by one, stored and
    /// published as one batch, so a 1,000-asset cascade costs the alarm stream a few enqueues, not a thousand.
    /// </summary>
    public Task OnNextAsync(IList<SequentialItem<AssetChange>> items) => ApplyAsync(items.Select(i => i.Item));

    public Task OnChangesAsync(AssetChange[] changes) => ApplyAsync(changes);

    private async Task ApplyAsync(IEnumerable<AssetChange> delivered)
    {
        var changes = new List<(Alarm, AlarmChangeKind)>();
        foreach (var change in delivered) Apply(change, changes);
        if (changes.Count == 0) return;
        if (State.Cleared.Count > RecentLimit) State.Cleared.RemoveRange(0, State.Cleared.Count - RecentLimit);
        await _writes.MarkDirtyAsync();
        await PublishAsync(changes);
    }

    private void Apply(AssetChange change, List<(Alarm, AlarmChangeKind)> changes)
    {
        if (change.Barrier is not null) return; // the district's marker
        var id = change.Summary.Id;
        var conditions = change.Left ? [] : change.Alarms;
        var active = State.Active.GetValueOrDefault(id) ?? [];
        if (active.Length == 0 && conditions.Length == 0) return; // the common case: nothing to raise or clear
        if (State.Sequences.TryGetValue(id, out var last) && change.Sequence <= last) return; // late or duplicate
        State.Sequences[id] = change.Sequence;

        var now = _time.GetUtcNow();
        var next = new List<Alarm>(conditions.Length);
        foreach (var alarm in active)
        {
            if (conditions.Any(c => c.Kind == alarm.Kind)) continue;
            var cleared = alarm with { ClearedAt = now };
            State.Cleared.Add(cleared);
            changes.Add((cleared, AlarmChangeKind.Cleared));
            _metrics.AddAlarms(alarm.Severity, -1);
        }
        foreach (var condition in conditions)
        {
            var existing = Array.Find(active, a => a.Kind == condition.Kind);
            if (existing is null)
            {
                var raised = new Alarm
                {
                    Id = $"alm-{District}-{++State.LastNumber}",
                    District = District,
                    AssetId = id,
                    AssetType = change.Summary.Type,
                    Kind = condition.Kind,
                    Severity = condition.Severity,
                    Cause = condition.Cause,
                    RaisedAt = now,
                };
                next.Add(raised);
                changes.Add((raised, AlarmChangeKind.Raised));
                _metrics.AddAlarms(raised.Severity, +1);
            }
            else if (existing.Severity != condition.Severity || !existing.Cause.SequenceEqual(condition.Cause))
            {
                var updated = existing with { Severity = condition.Severity, Cause = condition.Cause };
                next.Add(updated);
                changes.Add((updated, AlarmChangeKind.Updated));
                _metrics.AddAlarms(existing.Severity, -1);
                _metrics.AddAlarms(updated.Severity, +1);
            }
            else next.Add(existing);
        }
        if (next.Count == 0) State.Active.Remove(id);
        else State.Active[id] = [.. next];
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public Task<Alarm[]> ListAsync(AlarmQuery query)
    {
        IEnumerable<Alarm> alarms = query.Active switch
        {
            true => State.Active.Values.SelectMany(a => a),
            false => State.Cleared,
            null => State.Active.Values.SelectMany(a => a).Concat(State.Cleared),
        };
        if (query.MinSeverity is { } min) alarms = alarms.Where(a => a.Severity >= min);
        return Task.FromResult(alarms.OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal).Take(query.Limit).ToArray());
    }

    public Task<int[]> GetActiveCountsAsync() => Task.FromResult(ActiveCounts());

    public async Task<Alarm?> AcknowledgeAsync(string alarmId, string? by, string? note)
    {
        var (alarm, where) = Find(alarmId);
        if (alarm is null) return null;
        if (alarm.AcknowledgedAt is not null) return alarm;
        var acknowledged = alarm with { AcknowledgedAt = _time.GetUtcNow(), AcknowledgedBy = by, Note = note };
        Replace(where, alarm, acknowledged);
        try
        {
            await _state.WriteStateAsync();
            _writes.Written();
        }
        catch
        {
            Replace(where, acknowledged, alarm);
            throw;
        }
        await PublishAsync([(acknowledged, AlarmChangeKind.Acknowledged)]);
        return acknowledged;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await _writes.FlushAsync();
        foreach (var alarm in State.Active.Values.SelectMany(a => a)) _metrics.AddAlarms(alarm.Severity, -1);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private (Alarm? Alarm, Alarm[]? ActiveOf) Find(string alarmId)
    {
        foreach (var alarms in State.Active.Values)
            if (Array.Find(alarms, a => a.Id == alarmId) is { } alarm) return (alarm, alarms);
        return (State.Cleared.Find(a => a.Id == alarmId), null);
    }

    private void Replace(Alarm[]? activeOf, Alarm old, Alarm with)
    {
        if (activeOf is not null) activeOf[Array.IndexOf(activeOf, old)] = with;
        else State.Cleared[State.Cleared.IndexOf(old)] = with;
    }

    private int[] ActiveCounts()
    {
        var counts = new int[Enum.GetValues<AlarmSeverity>().Length];
        foreach (var alarm in State.Active.Values.SelectMany(a => a)) counts[(int)alarm.Severity]++;
        return counts;
    }

    private async Task PublishAsync(List<(Alarm Alarm, AlarmChangeKind Kind)> changes)
    {
        if (changes.Count == 0) return;
        var streams = this.GetStreamProvider(TwinStreams.Provider);
        var counts = ActiveCounts();
        var now = _time.GetUtcNow();
        await streams.PublishBatchAsync(TwinStreams.Alarms, District, changes.Select(c => new AlarmChange(c.Alarm, c.Kind, now, counts)).ToList());
    }
}
