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
/// while for the record; acknowledgements and shelves are written through, the rest behind (the assets can say it
/// again). Alarms are grouped by the root cause their chain ends in (<see cref="Alarm.Root"/>) when asked: the
/// groups are a view over the district's alarms, not kept apart, so they can never disagree with the flat list.
/// </summary>
[ImplicitStreamSubscription(TwinStreams.Changes)]
public sealed class AlarmGrain : Grain, IAlarmGrain, IStreamSubscriptionObserver, IAsyncBatchObserver<AssetChange>
{
    public const int RecentLimit = 1_000;

    private readonly IPersistentState<AlarmGrainState> _state;
    private readonly WriteBehind _writes;
    private readonly TimeProvider _time;
    private readonly TwinMetrics _metrics;
    private IGrainTimer? _expiry;

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
        ArmExpiry();
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
            State.ShelvedAlarms.Remove(alarm.Id); // a shelf is for the active board; a new occurrence is a new alarm
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
        var now = _time.GetUtcNow();
        var alarms = Select(query.Active);
        if (query.MinSeverity is { } min) alarms = alarms.Where(a => a.Severity >= min);
        var suppressing = query.SuppressingRoots is { Length: > 0 } roots ? roots.ToHashSet(StringComparer.Ordinal) : null;
        var shown = alarms.Select(a => View(a, now, suppressing));
        if (query.Shelved is { } shelved) shown = shown.Where(a => a.Shelved is not null == shelved);
        if (query.Suppressed is { } suppressed) shown = shown.Where(a => a.Suppressed == suppressed);
        return Task.FromResult(shown.OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal).Take(query.Limit).ToArray());
    }

    public Task<Alarm?> GetAsync(string alarmId) =>
        Task.FromResult(Find(alarmId).Alarm is { } alarm ? View(alarm, _time.GetUtcNow(), null) : null);

    public Task<AlarmGroupPart[]> GetGroupsAsync(AlarmGroupQuery query)
    {
        var now = _time.GetUtcNow();
        var severities = Enum.GetValues<AlarmSeverity>().Length;
        var groups = new Dictionary<string, GroupBuilder>(StringComparer.Ordinal);
        foreach (var alarm in Matching(query, now))
        {
            var root = alarm.Root;
            if (!groups.TryGetValue(root, out var group)) groups[root] = group = new GroupBuilder(root, severities);
            group.Add(alarm);
        }
        return Task.FromResult(groups.Values.Select(g => g.Build(ShelfOfGroup(g.RootId, now))).ToArray());
    }

    public Task<AlarmRootsPart> GetRootsAsync()
    {
        var cited = new HashSet<string>(StringComparer.Ordinal);
        var raised = new Dictionary<string, AssetType>(StringComparer.Ordinal);
        foreach (var alarm in State.Active.Values.SelectMany(a => a))
        {
            if (alarm.IsRoot) raised[alarm.AssetId] = alarm.AssetType;
            else cited.Add(alarm.Root);
        }
        return Task.FromResult(new AlarmRootsPart([.. cited], raised));
    }

    public Task<AlarmPage> ListMembersAsync(string rootId, AlarmGroupQuery query, string? after, int limit)
    {
        var members = Matching(query, _time.GetUtcNow()).Where(a => !a.IsRoot && a.Root == rootId).ToList();
        var page = members.Where(a => after is null || string.CompareOrdinal(a.Id, after) > 0)
            .OrderBy(a => a.Id, StringComparer.Ordinal).Take(limit).ToArray();
        return Task.FromResult(new AlarmPage(page, members.Count));
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
            await _writes.WriteThroughAsync();
        }
        catch
        {
            Replace(where, acknowledged, alarm);
            throw;
        }
        await PublishAsync([(acknowledged, AlarmChangeKind.Acknowledged)]);
        return acknowledged;
    }

    public async Task<(int Acknowledged, int Total)> AcknowledgeGroupAsync(string rootId, string? by, string? note, AssetType[]? types)
    {
        var now = _time.GetUtcNow();
        bool InGroup(Alarm a) => a.Root == rootId && (types is null || Array.IndexOf(types, a.AssetType) >= 0);
        var total = 0;
        // (list, index, before, after): a failed write puts every one back.
        var undo = new List<(IList<Alarm> List, int Index, Alarm Old, Alarm New)>();
        void Consider(IList<Alarm> list, int index)
        {
            var alarm = list[index];
            if (!InGroup(alarm)) return;
            total++;
            if (alarm.AcknowledgedAt is not null) return;
            list[index] = alarm with { AcknowledgedAt = now, AcknowledgedBy = by, Note = note };
            undo.Add((list, index, alarm, list[index]));
        }
        foreach (var alarms in State.Active.Values)
            for (var i = 0; i < alarms.Length; i++) Consider(alarms, i);
        for (var i = 0; i < State.Cleared.Count; i++) Consider(State.Cleared, i);
        if (undo.Count == 0) return (0, total);
        try
        {
            await _writes.WriteThroughAsync();
        }
        catch
        {
            foreach (var (list, index, old, _) in undo) list[index] = old;
            throw;
        }
        await PublishAsync([.. undo.Select(u => (u.New, AlarmChangeKind.Acknowledged))]);
        return (undo.Count, total);
    }

    public async Task<Alarm?> ShelveAsync(string alarmId, AlarmShelf shelf)
    {
        var (alarm, where) = Find(alarmId);
        if (alarm is null || where is null) return null; // only an active alarm is on the board to be shelved
        var before = State.ShelvedAlarms.GetValueOrDefault(alarmId);
        State.ShelvedAlarms[alarmId] = shelf;
        await WriteThroughAsync(() =>
        {
            if (before is null) State.ShelvedAlarms.Remove(alarmId);
            else State.ShelvedAlarms[alarmId] = before;
        });
        var shown = View(alarm, _time.GetUtcNow(), null);
        await PublishAsync([(shown, AlarmChangeKind.Shelved)]);
        ArmExpiry();
        return shown;
    }

    public async Task<int> ShelveGroupAsync(string rootId, AlarmShelf shelf)
    {
        var before = State.ShelvedGroups.GetValueOrDefault(rootId);
        State.ShelvedGroups[rootId] = shelf;
        await WriteThroughAsync(() =>
        {
            if (before is null) State.ShelvedGroups.Remove(rootId);
            else State.ShelvedGroups[rootId] = before;
        });
        var now = _time.GetUtcNow();
        var hidden = State.Active.Values.SelectMany(a => a).Where(a => shelf.Covers(a.AssetType) && a.Root == rootId).Select(a => View(a, now, null)).ToList();
        await PublishAsync([.. hidden.Select(a => (a, AlarmChangeKind.Shelved))]);
        ArmExpiry();
        return hidden.Count;
    }

    public async Task<bool> UnshelveAsync(string alarmId)
    {
        if (!State.ShelvedAlarms.Remove(alarmId, out var shelf)) return false;
        await WriteThroughAsync(() => State.ShelvedAlarms[alarmId] = shelf);
        var now = _time.GetUtcNow();
        if (Find(alarmId) is { Alarm: { } alarm, ActiveOf: not null } && ShelfOf(alarm, now) is null)
            await PublishAsync([(alarm, AlarmChangeKind.Unshelved)]);
        ArmExpiry();
        return shelf.Until > now;
    }

    public async Task<bool> UnshelveGroupAsync(string rootId)
    {
        if (!State.ShelvedGroups.Remove(rootId, out var shelf)) return false;
        await WriteThroughAsync(() => State.ShelvedGroups[rootId] = shelf);
        var now = _time.GetUtcNow();
        await PublishAsync(Uncovered(a => a.Root == rootId && shelf.Covers(a.AssetType), now));
        ArmExpiry();
        return shelf.Until > now;
    }

    /// <summary>
    /// Shelves that ran out: dropped, and the alarms they hid that are still active announced as back on the board.
    /// The lists never wait for this (a shelf hides only until its expiry on the twin's clock); the feed does.
    /// </summary>
    private async Task ExpireShelvesAsync()
    {
        var now = _time.GetUtcNow();
        var alarms = State.ShelvedAlarms.Where(s => s.Value.Until <= now).Select(s => s.Key).ToHashSet(StringComparer.Ordinal);
        var groups = State.ShelvedGroups.Where(s => s.Value.Until <= now).ToDictionary(s => s.Key, s => s.Value, StringComparer.Ordinal);
        if (alarms.Count > 0 || groups.Count > 0)
        {
            foreach (var id in alarms) State.ShelvedAlarms.Remove(id);
            foreach (var root in groups.Keys) State.ShelvedGroups.Remove(root);
            await _writes.MarkDirtyAsync();
            await PublishAsync(Uncovered(a => alarms.Contains(a.Id) || groups.TryGetValue(a.Root, out var shelf) && shelf.Covers(a.AssetType), now));
        }
        ArmExpiry();
    }

    /// <summary>One timer, due at the earliest shelf's expiry (on the twin's clock, as seen now).</summary>
    private void ArmExpiry()
    {
        _expiry?.Dispose();
        _expiry = null;
        var next = State.ShelvedAlarms.Values.Concat(State.ShelvedGroups.Values).Select(s => (DateTimeOffset?)s.Until).Min();
        if (next is not { } until) return;
        var due = until - _time.GetUtcNow();
        _expiry = this.RegisterGrainTimer(ExpireShelvesAsync, due < TimeSpan.Zero ? TimeSpan.Zero : due > MaxTimerDue ? MaxTimerDue : due, Timeout.InfiniteTimeSpan);
    }

    private static readonly TimeSpan MaxTimerDue = TimeSpan.FromDays(7);

    private List<(Alarm, AlarmChangeKind)> Uncovered(Func<Alarm, bool> wasShelved, DateTimeOffset now) =>
        [.. State.Active.Values.SelectMany(a => a).Where(a => wasShelved(a) && ShelfOf(a, now) is null).Select(a => (a, AlarmChangeKind.Unshelved))];

    private async Task WriteThroughAsync(Action undo)
    {
        try
        {
            await _writes.WriteThroughAsync();
        }
        catch
        {
            undo();
            throw;
        }
    }

    private IEnumerable<Alarm> Select(bool? active) => active switch
    {
        true => State.Active.Values.SelectMany(a => a),
        false => State.Cleared,
        null => State.Active.Values.SelectMany(a => a).Concat(State.Cleared),
    };

    /// <summary>The alarms a group query covers, shelves filled in.</summary>
    private IEnumerable<Alarm> Matching(AlarmGroupQuery query, DateTimeOffset now)
    {
        var alarms = Select(query.Active);
        if (query.Types is { } types) alarms = alarms.Where(a => Array.IndexOf(types, a.AssetType) >= 0);
        var shown = alarms.Select(a => View(a, now, null));
        return query.Shelved is { } shelved ? shown.Where(a => a.Shelved is not null == shelved) : shown;
    }

    /// <summary>The alarm as listed: its shelf (active alarms only: a shelf is for the active board) and whether its root suppresses it.</summary>
    private Alarm View(Alarm alarm, DateTimeOffset now, HashSet<string>? suppressing)
    {
        var shelf = alarm.Active ? ShelfOf(alarm, now) : null;
        var suppressed = alarm.Active && suppressing is not null && !alarm.IsRoot && suppressing.Contains(alarm.Root);
        return shelf is null && !suppressed ? alarm : alarm with { Shelved = shelf, Suppressed = suppressed };
    }

    private AlarmShelf? ShelfOf(Alarm alarm, DateTimeOffset now)
    {
        if (State.ShelvedAlarms.TryGetValue(alarm.Id, out var own) && own.Until > now) return own;
        return State.ShelvedGroups.Count > 0 && State.ShelvedGroups.TryGetValue(alarm.Root, out var group) && group.Until > now && group.Covers(alarm.AssetType)
            ? group : null;
    }

    private AlarmShelf? ShelfOfGroup(string rootId, DateTimeOffset now) =>
        State.ShelvedGroups.TryGetValue(rootId, out var shelf) && shelf.Until > now ? shelf : null;

    /// <summary>Adds up one root cause's alarms: the root's own (the active, most severe, newest one shown) and its consequences.</summary>
    private sealed class GroupBuilder(string rootId, int severities)
    {
        private readonly int[] _bySeverity = new int[severities];
        private readonly Dictionary<AssetType, int> _byType = [];
        private Alarm? _root;
        private string? _cause;
        private DateTimeOffset _first = DateTimeOffset.MaxValue, _last = DateTimeOffset.MinValue;
        private int _unacknowledged;

        public string RootId => rootId;

        public void Add(Alarm alarm)
        {
            _cause ??= alarm.Cause.Length > 0 ? alarm.Cause[^1] : $"{rootId}: {alarm.Kind}";
            if (alarm.RaisedAt < _first) _first = alarm.RaisedAt;
            if (alarm.RaisedAt > _last) _last = alarm.RaisedAt;
            if (alarm.AcknowledgedAt is null) _unacknowledged++;
            if (alarm.IsRoot)
            {
                if (_root is null || Better(alarm, _root)) _root = alarm;
                return;
            }
            _bySeverity[(int)alarm.Severity]++;
            _byType[alarm.AssetType] = _byType.GetValueOrDefault(alarm.AssetType) + 1;
        }

        private static bool Better(Alarm x, Alarm y) =>
            x.Active != y.Active ? x.Active : x.Severity != y.Severity ? x.Severity > y.Severity : x.RaisedAt > y.RaisedAt;

        public AlarmGroupPart Build(AlarmShelf? shelf) => new()
        {
            RootId = rootId,
            Root = _root,
            Cause = _cause ?? rootId,
            BySeverity = _bySeverity,
            ByType = _byType,
            FirstRaisedAt = _first,
            LastRaisedAt = _last,
            Unacknowledged = _unacknowledged,
            Shelved = shelf,
        };
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
