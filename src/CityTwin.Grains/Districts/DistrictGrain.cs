using CityTwin.Grains.Streams;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Assets;
using CityTwin.Domain.Ingest;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Grains.Metrics;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Streams.Core;
using Orleans.Placement;

namespace CityTwin.Grains.Districts;

/// <summary>
/// A district's aggregate, fed by its <c>changes</c> stream (implicit subscription: the stream's key is this
/// district's id). Assets stay the source of truth, so the aggregate is written behind: after a crash it may lag
/// by the write-behind window until the assets announce themselves again on activation.
/// <para>
/// It is also the district's partition of the read model: each member keeps the asset's summary and live attributes,
/// so filter and area queries are answered here without touching an asset grain, and at most every report interval
/// the district tells the city its counts, KPIs and bounds (for <c>/api/stats</c> and to route area queries).
/// </para>
/// <para>
/// And it holds its assets' live telemetry: readings come here a chunk at a time and are applied in one turn with the
/// Domain's rules to the district's copy of each asset — the read model, the aggregates and the feed see them at once,
/// with no call per reading. An asset grain hears of a reading only when it changes the asset's behaviour (status,
/// alarms, a camera's feed). Cameras' counts retime the district's copy of the intersections they watch at once; the
/// intersection grains get them many a call, every <see cref="TwinOptions.CameraCountInterval"/>, for their stored
/// state. The grain takes the district's newest readings in whenever it answers or changes (<see cref="LiveOfAsync"/>),
/// and the district takes the grain's state in with each change, keeping the newer readings
/// (<see cref="TelemetryRules.Overlay"/>). Readings are stored with the district, written behind.
/// </para>
/// </summary>
[ImplicitStreamSubscription(TwinStreams.Changes)]
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: its assets' newest readings live in memory; a move would have it read the whole district again
public sealed class DistrictGrain : Grain, IDistrictGrain, IStreamSubscriptionObserver, IAsyncObserver<AssetChange>
{
    private static readonly int Types = Enum.GetValues<AssetType>().Length;
    private static readonly int Statuses = Enum.GetValues<AssetStatus>().Length;
    private static readonly int FeedOnlineSlot = Slot(AssetType.Camera, "feedOnline");
    private static readonly int ConditionSlot = Slot(AssetType.Link, "condition");

    private readonly IPersistentState<DistrictGrainState> _state;
    private readonly WriteBehind _writes;
    private readonly TimeProvider _time;
    private readonly TwinMetrics _metrics;
    private readonly ChangeCoalescer _coalescer;
    private readonly int[] _counts = new int[Types * Statuses];
    private double _drawW, _saturation;
    private int _camerasWithoutFeed, _linksDown;
    private bool _reportDue = true;
    private GeoBox? _bounds;
    private bool _boundsStale = true; // members came, went or moved: the box is computed again at the next report
    private DateTimeOffset _reportedAt;
    private string[]? _sortedIds; // page order, rebuilt lazily after membership changes
    private readonly Dictionary<string, TaskCompletionSource> _barriers = [];
    private readonly TimeSpan _reportInterval;
    private readonly TwinOptions _options;
    private readonly Dictionary<string, Dictionary<string, CameraCount>> _cameraCounts = new(StringComparer.Ordinal); // by intersection, camera
    private RecentReadings? _recent;
    private readonly HashSet<string> _unreported = new(StringComparer.Ordinal); // readings applied here since the last write

    public DistrictGrain(
        [PersistentState("district", StorageNames.Assets)] IPersistentState<DistrictGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        TwinMetrics metrics,
        ChangeCoalescer coalescer,
        IOptions<TwinOptions> options)
    {
        _coalescer = coalescer;
        _state = state;
        _time = time;
        _metrics = metrics;
        _writes = new WriteBehind(this, WriteAsync, options.Value.DistrictWriteBehind);
        _reportInterval = options.Value.DistrictReportInterval;
        _options = options.Value;
    }

    private Dictionary<string, DistrictMember> Members => _state.State.Assets;

    private string Id => this.GetPrimaryKeyString();

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var m in Members.Values) Count(m, +1);
        PublishOfflineRatio();
        this.RegisterGrainTimer(ReportAsync, new GrainTimerCreationOptions(TimeSpan.Zero, _reportInterval) { Interleave = true });
        this.RegisterGrainTimer(SendCameraCounts, new GrainTimerCreationOptions(_options.CameraCountInterval, _options.CameraCountInterval));
        return Task.CompletedTask;
    }

    public Task WakeAsync()
    {
        _reportDue = true;
        return Task.CompletedTask;
    }

    public Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) => handleFactory.Create<AssetChange>().ResumeAsync(this);

    public async Task OnNextAsync(AssetChange change, StreamSequenceToken? token = null)
    {
        if (change.Barrier is { } barrier)
        {
            if (_barriers.Remove(barrier, out var waiter)) waiter.TrySetResult();
            return;
        }
        var now = _time.GetUtcNow();
        _metrics.Delivered(TwinStreams.Changes, now - change.SentAt);
        var id = change.Summary.Id;
        var known = Members.TryGetValue(id, out var previous);
        if (known && change.Sequence <= previous.Sequence) return; // late or duplicate
        if (_state.State.Departed.TryGetValue(id, out var left) && change.Sequence <= left) return; // from before it moved away

        if (known) Count(previous, -1);
        if (change.Left)
        {
            if (!known) return;
            Members.Remove(id);
            _state.State.Departed[id] = change.Sequence;
            _sortedIds = null;
            _boundsStale = true;
        }
        else
        {
            if (!known)
            {
                _sortedIds = null;
                _state.State.Departed.Remove(id);
                if (Members.Count == 0) await AnnounceAsync();
            }
            _boundsStale |= !known || previous.Summary.Location != change.Summary.Location;
            Members[id] = Merge(change, known ? previous : null);
        }
        if (change.CauseAt is { } causeAt) _metrics.CascadeReached(now - causeAt);
        PublishOfflineRatio();
        _reportDue = true;
        await _writes.MarkDirtyAsync();
    }

    public async Task OnChangesAsync(AssetChange[] changes)
    {
        foreach (var change in changes) await OnNextAsync(change);
    }

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex) => Task.CompletedTask;

    public Task<DistrictView> GetAsync(string? cursor, int limit)
    {
        AssetSummary[] assets = [];
        string? next = null;
        if (limit > 0) // the district list asks for aggregates only: no need to sort the members
        {
            _sortedIds ??= Members.Keys.Order(StringComparer.Ordinal).ToArray();
            (var page, next) = Paging.After(_sortedIds, cursor, limit);
            assets = [.. page.Select(id => Members[id].Summary)];
        }
        var intersections = Enumerable.Range(0, Statuses).Sum(s => _counts[(int)AssetType.Intersection * Statuses + s]);
        return Task.FromResult(new DistrictView(Id, Members.Count, Counts(), assets, next,
            Math.Round(_drawW / 1000, 3),
            intersections == 0 ? 0 : Math.Round(_saturation / intersections, 3),
            OfflineRatio() ?? 0));
    }

    public Task<PartitionPage> QueryAsync(AssetQuery query)
    {
        _sortedIds ??= Members.Keys.Order(StringComparer.Ordinal).ToArray();
        var members = Members;
        return Task.FromResult(AssetIndex.Search(Id, _sortedIds, id => Entry(members[id]), query));

        static IndexedAsset Entry(DistrictMember m) => new(m.Summary, m.Attributes);
    }

    public Task<LiveAsset> LiveOfAsync(string assetId) => Task.FromResult(LiveOf(assetId));

    public Task<LiveAsset[]> LiveOfManyAsync(string[] assetIds) => Task.FromResult(Array.ConvertAll(assetIds, LiveOf));

    private LiveAsset LiveOf(string assetId) =>
        Members.TryGetValue(assetId, out var member) ? new LiveAsset(member.Sequence, member.Asset, member.Reported) : LiveAsset.None;

    public Task<ReceivedReading[]> ReadingsOfAsync(string assetId, int limit) => Task.FromResult(_recent?.Of(assetId, limit) ?? []);

    public async Task<TelemetryResult?[]> ApplyTelemetryAsync(TelemetryReading[] readings)
    {
        var results = new TelemetryResult?[readings.Length];
        var now = _time.GetUtcNow();
        List<Task>? throughGrains = null;
        List<(string Intersection, CameraCount Count)>? counted = null;
        var applied = 0;
        foreach (var (id, positions) in ReadingGroups.Of(readings))
        {
            if (!Members.TryGetValue(id, out var member) || member.Asset is not { } asset)
            {
                (throughGrains ??= []).Add(ThroughGrainAsync(id, positions, readings, results));
                continue;
            }
            var before = asset;
            foreach (var i in positions) // oldest first: a late reading is stale, never applied over a newer one
            {
                var reading = readings[i].Telemetry;
                var errors = TelemetryRules.Validate(asset.Type, reading, now);
                if (errors.Count > 0) results[i] = new TelemetryResult(TelemetryOutcome.Invalid, [.. errors]);
                else if (TelemetryRules.IsStale(asset, reading)) results[i] = TelemetryResult.Stale;
                else
                {
                    asset = CascadeRules.Derive(TelemetryRules.Apply(asset, reading, now));
                    results[i] = TelemetryResult.Applied;
                    applied++;
                    Recent().Add(member.Summary.Id, now, reading);
                }
            }
            if (ReferenceEquals(asset, before)) continue;
            if (TelemetryRules.ChangesBehaviour(before, asset)) GrainFactory.GetGrain<IAssetGrain>(id).OnTelemetryAsync(asset).Ignore();
            if (asset.Camera is { FeedOnline: true } camera && camera.VehicleCount != before.Camera!.VehicleCount
                && asset.Dependencies.WatchedIntersectionId is { } watched)
            {
                var count = new CameraCount(id, camera.VehicleCount, asset.TelemetryAt ?? now);
                QueueCount(watched, count);
                (counted ??= []).Add((watched, count));
            }
            Replace(member, asset, now);
        }
        if (counted is not null) TakeCounts(counted, now);
        if (throughGrains is not null) await Task.WhenAll(throughGrains);
        if (applied > 0)
        {
            _metrics.ReadingApplied(applied);
            _reportDue = true;
            PublishOfflineRatio();
            await _writes.MarkDirtyAsync();
        }
        return results;
    }

    /// <summary>Readings of an asset the district does not hold yet (new, or stored before it kept assets): through its grain, in order.</summary>
    private async Task ThroughGrainAsync(string id, ArraySegment<int> positions, TelemetryReading[] readings, TelemetryResult?[] results)
    {
        var asset = GrainFactory.GetGrain<IAssetGrain>(id);
        try
        {
            foreach (var i in positions)
            {
                var result = results[i] = await asset.ApplyTelemetryAsync(readings[i].Telemetry);
                if (result.Outcome != TelemetryOutcome.NotFound) continue;
                foreach (var j in positions) results[j] = result; // one answer for all: the asset does not exist
                return;
            }
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The results stay null: reported to the sender as unavailable.
        }
    }

    /// <summary>The member after a change of its grain, with the newer readings of the two.</summary>
    private DistrictMember Merge(AssetChange change, DistrictMember? previous)
    {
        var shown = Math.Max(previous?.Shown ?? 0, change.Sequence);
        var reported = previous?.Reported;
        DistrictMember member;
        if (change.Asset is not { } fromGrain)
            member = new DistrictMember(change.Summary, change.Sequence, change.PowerDrawW, change.DegreeOfSaturation, change.Attributes, reported, shown);
        else
        {
            var joined = new LiveAsset(0, previous?.Asset, reported).Over(fromGrain);
            if (ReferenceEquals(joined, fromGrain))
                member = new DistrictMember(change.Summary, change.Sequence, change.PowerDrawW, change.DegreeOfSaturation, change.Attributes, reported, shown) { Asset = fromGrain };
            else
            {
                // The grain changed without the district's newest readings (a cascade): the feed shows the joined state,
                // and the grain hears of the readings if they make a difference to its behaviour.
                member = DistrictMember.Of(joined, change.Sequence, shown + 1, reported);
                Show(member, _time.GetUtcNow());
                if (TelemetryRules.ChangesBehaviour(fromGrain, joined)) GrainFactory.GetGrain<IAssetGrain>(joined.Id).OnTelemetryAsync(joined).Ignore();
            }
        }
        Count(member, +1);
        return member;
    }

    /// <summary>Readings applied here: the member's new entry, its share of the aggregates, and an event for the feed if it shows.</summary>
    private void Replace(DistrictMember member, Asset asset, DateTimeOffset now)
    {
        var next = DistrictMember.Of(asset, member.Sequence, Math.Max(Math.Max(member.Shown, member.Sequence) + 1, now.UtcTicks), member.Reported);
        _unreported.Add(asset.Id);
        Count(member, -1);
        Members[asset.Id] = next;
        Count(next, +1);
        if (next.Summary != member.Summary || !AssetAttributes.SameValues(next.Attributes, member.Attributes)
            || next.PowerDrawW != member.PowerDrawW || next.DegreeOfSaturation != member.DegreeOfSaturation)
            Show(next, now);
    }

    /// <summary>
    /// Queues the member's state for the district's live feed, sent with the silo's next coalescing window. Without
    /// alarm conditions: the feed shows an asset's summary and attributes, and alarms come as alarm events of their own.
    /// </summary>
    private void Show(DistrictMember member, DateTimeOffset now) =>
        _coalescer.Show(Id, new AssetChange(member.Summary, member.Shown, false, member.PowerDrawW, member.DegreeOfSaturation,
            [], null, now, Attributes: member.Attributes));

    /// <summary>
    /// Cameras' new counts, applied at once to this district's copy of the intersections they watch (adaptive timing
    /// retimes with them: the read model, the feed and the grain's answers show it in the same turn). An intersection of
    /// another district hears of them from its grain, which gets every count every <see cref="TwinOptions.CameraCountInterval"/>.
    /// </summary>
    private void TakeCounts(List<(string Intersection, CameraCount Count)> counts, DateTimeOffset now)
    {
        Dictionary<string, Asset>? touched = null;
        foreach (var (intersection, count) in counts)
        {
            if (!Members.TryGetValue(intersection, out var member) || member.Asset is not { } held) continue;
            var current = touched?.GetValueOrDefault(intersection) ?? held;
            var next = TelemetryRules.Counted(current, count.CameraId, count.VehicleCount, count.At);
            if (!ReferenceEquals(next, current)) (touched ??= new(StringComparer.Ordinal))[intersection] = next;
        }
        if (touched is null) return;
        foreach (var (intersection, next) in touched)
        {
            var member = Members[intersection];
            var derived = CascadeRules.Derive(next);
            if (TelemetryRules.ChangesBehaviour(member.Asset!, derived)) GrainFactory.GetGrain<IAssetGrain>(intersection).OnTelemetryAsync(derived).Ignore();
            Replace(member, derived, now);
        }
    }

    private void QueueCount(string intersection, CameraCount count)
    {
        if (!_cameraCounts.TryGetValue(intersection, out var cameras)) _cameraCounts[intersection] = cameras = new(StringComparer.Ordinal);
        cameras[count.CameraId] = count;
    }

    /// <summary>Every intersection whose cameras counted anew gets the newest counts in one one-way call.</summary>
    private Task SendCameraCounts()
    {
        foreach (var (intersection, cameras) in _cameraCounts)
            GrainFactory.GetGrain<IAssetGrain>(intersection).OnCameraCountsAsync([.. cameras.Values]).Ignore();
        _cameraCounts.Clear();
        return Task.CompletedTask;
    }

    private RecentReadings Recent()
    {
        _recent ??= new RecentReadings(_options.TelemetryHistory);
        _recent.Fit(Members.Count);
        return _recent;
    }

    public async Task<bool> SettleAsync(TimeSpan timeout)
    {
        var barrier = Guid.NewGuid().ToString("N");
        var reached = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _barriers[barrier] = reached;
        try
        {
            await this.GetStreamProvider(TwinStreams.Provider).PublishAsync(TwinStreams.Changes, Id, AssetChange.Marker(barrier, _time.GetUtcNow()));
            return await Task.WhenAny(reached.Task, Task.Delay(timeout)) == reached.Task;
        }
        finally
        {
            _barriers.Remove(barrier);
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        await SendCameraCounts();
        await _writes.FlushAsync();
        await ReportAsync(cancellationToken);
        foreach (var m in Members.Values) _metrics.AddAssets(m.Summary.Type, m.Summary.Status, -1);
        _metrics.SetOfflineRatio(Id, null);
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>Stores the district, with what its assets' devices last reported (not the whole assets it holds in memory).</summary>
    private Task WriteAsync()
    {
        foreach (var id in _unreported)
            if (Members.TryGetValue(id, out var m) && m.Asset is { } asset) Members[id] = m with { Reported = TelemetryRules.Reported(asset) };
        _unreported.Clear();
        return _state.WriteStateAsync();
    }

    /// <summary>A new district: the city lists it and its alarms reach the city's board.</summary>
    private async Task AnnounceAsync()
    {
        await GrainFactory.GetGrain<ICityGrain>(ICityGrain.Key).AddDistrictAsync(Id);
        await GrainFactory.GetGrain<IAlarmBoardGrain>(IAlarmBoardGrain.Key).WatchAsync(Id);
    }

    /// <summary>Tells the city the district's counts, KPIs and bounds, if they may have changed since the last time.</summary>
    private async Task ReportAsync(CancellationToken cancellationToken)
    {
        // Unchanged districts still report now and then: the city keeps reports in memory only.
        var now = _time.GetUtcNow();
        if (!_reportDue && now - _reportedAt < TimeSpan.FromSeconds(10)) return;
        // A district that never had an asset is no district: a query for an unknown id must not make the city list it.
        if (Members.Count == 0 && _state.State.Departed.Count == 0) return;
        _reportDue = false;
        _reportedAt = now;
        if (_boundsStale)
        {
            // Only when members came, went or moved: telemetry makes a district report four times a second.
            _bounds = null;
            foreach (var m in Members.Values) _bounds = GeoBox.Grow(_bounds, m.Summary.Location);
            _boundsStale = false;
        }
        var view = await GetAsync(null, 0);
        await GrainFactory.GetGrain<ICityGrain>(ICityGrain.Key).ReportAsync(new DistrictReport(Id, view.Total, view.Counts,
            view.PowerDrawKw, view.CongestionIndex, view.OfflineRatio, _camerasWithoutFeed, _linksDown, _bounds, now));
    }

    private static int Slot(AssetType type, string name) => AssetAttributes.Of(type).Single(a => a.Name == name).Slot;

    private void Count(DistrictMember m, int sign)
    {
        _counts[(int)m.Summary.Type * Statuses + (int)m.Summary.Status] += sign;
        if (m.Attributes is { } values)
        {
            if (m.Summary.Type == AssetType.Camera && values[FeedOnlineSlot] == 0) _camerasWithoutFeed += sign;
            if (m.Summary.Type == AssetType.Link && values[ConditionSlot] == (int)LinkCondition.Down) _linksDown += sign;
        }
        _drawW += sign * m.PowerDrawW;
        _saturation += sign * m.DegreeOfSaturation;
        _metrics.AddAssets(m.Summary.Type, m.Summary.Status, sign);
    }

    private double? OfflineRatio()
    {
        if (Members.Count == 0) return null;
        var offline = Enumerable.Range(0, Types).Sum(t => _counts[t * Statuses + (int)AssetStatus.Offline]);
        return Math.Round((double)offline / Members.Count, 4);
    }

    private void PublishOfflineRatio() => _metrics.SetOfflineRatio(Id, OfflineRatio());

    private StatusCount[] Counts()
    {
        var result = new List<StatusCount>();
        for (var i = 0; i < _counts.Length; i++)
            if (_counts[i] > 0) result.Add(new StatusCount((AssetType)(i / Statuses), (AssetStatus)(i % Statuses), _counts[i]));
        return [.. result];
    }
}
