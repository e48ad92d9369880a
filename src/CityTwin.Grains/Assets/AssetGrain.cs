using CityTwin.Grains.Streams;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Backhaul;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Events;
using CityTwin.Contracts.Power;
using CityTwin.Grains.Districts;
using CityTwin.Grains.Metrics;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Assets;

/// <summary>
/// One street asset. Configuration, status and operator commands are written through; telemetry and what the
/// asset derives from its dependencies are written behind (the sources are durable, and an activation asks them
/// again). Every change that others depend on leaves on a stream: its district's <c>changes</c>, a link's
/// <c>link</c>, a camera's report on its intersection's <c>detections</c>. The grain itself consumes no stream:
/// a grain that implements <c>IStreamSubscriptionObserver</c> gets a stream consumer extension installed at every
/// activation (≈ 1.5 KB), so the intersection's reports come through its <see cref="Detections.DetectionsGrain"/>.
/// The grain's state is stored by the silo's <see cref="AssetStore"/>, many assets a write, rather than through
/// <c>[PersistentState]</c>: a silo holds up to a million of these, the persistent-state bridge with its lifecycle
/// and migration hooks costs ≈ 0.3 KB each, and one storage write per grain caps a silo at a few thousand a second.
/// The store serialises the state after the grain's turn, so the grain hands it snapshots: the state object and the
/// history list are replaced, never changed, once staged.
/// Placed at random, not by Orleans' default resource-optimised placement: that prefers the caller's silo, so an
/// import (one grain activating the whole city) put every asset on the importing silo — one silo's memory held the
/// city and its crash took the whole city with it.
/// </summary>
[Orleans.Placement.RandomPlacement]
public sealed partial class AssetGrain : Grain, IAssetGrain, IIncomingGrainCallFilter, IRemindable
{
    /// <summary>Held by a link from a change of its condition until its backhaul grain has surely heard it.</summary>
    private const string LinkSignalReminder = "link-signal";

    private readonly AssetStore _store;
    private AssetGrainState _stored = new();
    private long _stamp; // orders this asset's writes in the store: rises with every write, across activations
    private bool _unsaved; // a state was written behind since the last write-through: deactivation writes it through
    private readonly TimeProvider _time;
    private readonly TwinMetrics _metrics;
    private readonly ChangeCoalescer _coalescer;
    private readonly DistrictReachability _districts;
    private readonly ILogger<AssetGrain> _logger;
    private readonly TwinOptions _options;
    private bool _liveJustTaken; // the activation took the district's readings in; the call that woke the grain need not ask again
    private bool _wokenCallSeen;
    private int _running; // calls running other than GetAsync (one at a time, but read-only history reads may overlap)
    private Asset? _settled; // the state when the running call started: what a read answers meanwhile
    private Queue<ReceivedReading>? _readings; // the last readings, for the asset's history; most assets never get one
    private Task? _liveAsk; // the latest question to the district for the live readings, and when it was asked
    private long _liveAskSince;
    private bool _deactivating;

    /// <summary>How long a question to the district may be out before a second read of this asset stops waiting for it: the API's hedge floor.</summary>
    private static readonly TimeSpan ImpatientAfter = CityTwin.Storage.GatewayLoss.MinHedgeAfter;

    public AssetGrain(
        AssetStore store,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        TwinMetrics metrics,
        ChangeCoalescer coalescer,
        DistrictReachability districts,
        IOptions<TwinOptions> options,
        ILogger<AssetGrain> logger)
    {
        _coalescer = coalescer;
        _districts = districts;
        _store = store;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _options = options.Value;
    }

    private AssetGrainState Stored => _stored;

    private Asset? Current => Stored.Asset;

    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var (state, stamp) = await _store.ReadAsync(this.GetGrainId());
        _stamp = stamp;
        if (state?.Asset is not { } stored) return;
        var asset = stored.Compact();
        _stored = new AssetGrainState { Asset = asset, Sequence = state.Sequence, History = state.History }; // the store's copy stays the store's
        // The district holds the newest readings (it applies them without this grain): take them in. Signals in flight
        // die with a silo: hear the sources again. If either says something new, tell everyone; if not, make sure the
        // district has our last change (it is written behind, and so may have lost it in a crash). The three are asked
        // at once: readings do not change what an asset depends on, so the sources' answers do not wait for the district's.
        var asking = District(asset).LiveOfAsync(Key);
        var heard = WithUpstreamAsync(asset, previous: asset, force: true);
        var live = await asking;
        var upstream = (await heard).Upstream;
        var joined = Stored.Asset = live.Over(asset);
        var reconciled = upstream == joined.Upstream ? joined : joined with { Upstream = upstream };
        _liveJustTaken = true;
        if (reconciled.Upstream != joined.Upstream || TelemetryRules.ChangesBehaviour(asset, joined))
            await CommitAsync(reconciled, durable: false, causeAt: null, announce: true);
        else if (live.Sequence < Stored.Sequence)
            await PublishAsync(null, joined, causeAt: null, repeat: true);
    }

    /// <summary>
    /// The call that woke this grain runs right after the activation took the district's readings in; any later one
    /// asks the district again. Every call but <see cref="GetAsync"/> (which interleaves) runs alone, and
    /// <see cref="_settled"/> keeps the state it started from: what a read answers meanwhile.
    /// </summary>
    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (_wokenCallSeen) _liveJustTaken = false;
        _wokenCallSeen = true;
        return context.InterfaceMethod == GetMethod || context.InterfaceMethod == GetWithMethod ? context.Invoke() : InvokeAloneAsync(context);
    }

    private async Task InvokeAloneAsync(IIncomingGrainCallContext context)
    {
        _settled = Current;
        _running++;
        try
        {
            await context.Invoke();
        }
        finally
        {
            _running--;
        }
    }

    private static readonly System.Reflection.MethodInfo GetMethod = typeof(IAssetGrain).GetMethod(nameof(IAssetGrain.GetAsync))!;
    private static readonly System.Reflection.MethodInfo GetWithMethod = typeof(IAssetGrain).GetMethod(nameof(IAssetGrain.GetWithAsync))!;

    /// <summary>
    /// The asset as it is now. It interleaves (<c>[AlwaysInterleave]</c>): a read does not queue behind a command that
    /// waits on storage or on its event's queue (in a failover, on a dead silo's queue until the silo is declared dead:
    /// up to a second), and answers the state that command started from — it is not acknowledged yet, and may not be
    /// stored — so a read never shows what could still be rolled back.
    /// </summary>
    public async Task<Asset?> GetAsync()
    {
        if (_running > 0) return _settled;
        await TakeLiveAsync(read: true);
        return _running > 0 ? _settled : Current;
    }

    public Task<Asset?> GetWithAsync(LiveAsset live)
    {
        if (_running > 0) return Task.FromResult(_settled);
        if (Current is { } asset) TakeLive(asset, live);
        return Task.FromResult(Current);
    }

    public async Task<AssetHistory?> GetHistoryAsync(int limit)
    {
        if (Current is not { } asset) return null;
        var since = _time.GetUtcNow() - _options.HistoryRetention;
        StateChange[] changes = [.. (Stored.History ?? []).Where(c => c.At >= since).Reverse().Take(limit)];
        // Readings the district applied and those that came through here (an asset it did not hold yet), newest first.
        // Without its district (gone with its silo) the changes still answer; the district's readings come back with it.
        var applied = await FromDistrictAsync(asset, district => district.ReadingsOfAsync(Key, limit)) ?? [];
        ReceivedReading[] readings = [.. applied.Concat(_readings ?? []).OrderByDescending(r => r.ReceivedAt).Take(limit)];
        return new AssetHistory(Key, changes, readings);
    }

    public Task<AssetType?> GetTypeAsync() => Task.FromResult(Current?.Type);

    public Task<AssetPlace?> GetPlaceAsync() => Task.FromResult(Current is { } a ? new AssetPlace(a.Type, a.District) : null);

    public async Task<UpsertResult> UpsertAsync(Asset asset)
    {
        var candidate = asset.WithDefaults();
        var errors = AssetValidator.Validate(candidate);
        if (candidate.Id != Key) errors.Add(new("id", $"does not match the grain's id '{Key}'"));
        if (errors.Count > 0) return new UpsertResult(UpsertOutcome.Invalid, null, [.. errors]);

        await TakeLiveAsync();
        var previous = Current;
        // The client sets configuration and the operator's status; what the twin derives stays the twin's.
        var merged = candidate with
        {
            OperatorStatus = candidate.Status,
            Upstream = previous?.Upstream ?? Upstream.Normal,
            Intersection = candidate.Intersection is { } i ? i with { Cameras = previous?.Intersection?.Cameras ?? [] } : null,
            Version = previous?.Version ?? 0,
            UpdatedAt = previous?.UpdatedAt ?? default,
            TelemetryAt = previous?.TelemetryAt,
        };
        merged = CascadeRules.Derive(await WithUpstreamAsync(merged, previous, force: false));
        if (previous is not null && previous.SameContentAs(merged)) return new UpsertResult(UpsertOutcome.Unchanged, previous, []);

        var next = merged.Compact() with { Version = merged.Version + 1, UpdatedAt = _time.GetUtcNow() };
        await CommitAsync(next, durable: true, causeAt: null);
        await UnregisterStaleAsync(previous, next);
        LogUpserted(next.Id, next.Version);
        return new UpsertResult(previous is null ? UpsertOutcome.Created : UpsertOutcome.Updated, Current, []);
    }

    public async Task<TelemetryResult> ApplyTelemetryAsync(Telemetry reading)
    {
        await TakeLiveAsync(); // applied over the newest readings, or those the district applied would go back
        if (Current is not { } asset) return TelemetryResult.NotFound;
        var errors = TelemetryRules.Validate(asset.Type, reading, _time.GetUtcNow());
        if (errors.Count > 0) return new TelemetryResult(TelemetryOutcome.Invalid, [.. errors]);
        if (TelemetryRules.IsStale(asset, reading)) return TelemetryResult.Stale;

        await CommitAsync(TelemetryRules.Apply(asset, reading, _time.GetUtcNow()), durable: false, causeAt: null, coalesce: true);
        _metrics.ReadingApplied();
        if (_options.TelemetryHistory > 0)
        {
            _readings ??= new Queue<ReceivedReading>(_options.TelemetryHistory);
            if (_readings.Count == _options.TelemetryHistory) _readings.Dequeue();
            _readings.Enqueue(new ReceivedReading(_time.GetUtcNow(), reading));
        }
        return TelemetryResult.Applied;
    }

    public async Task OnTelemetryAsync(Asset live)
    {
        if (Current is not { } asset) return;
        var next = TelemetryRules.Overlay(asset, live);
        if (!ReferenceEquals(next, asset)) await CommitAsync(next, durable: false, causeAt: null, coalesce: true);
    }

    public async Task OnCameraCountsAsync(CameraCount[] counts)
    {
        if (Current is not { Intersection: not null } asset) return;
        var next = asset;
        foreach (var count in counts) next = TelemetryRules.Counted(next, count.CameraId, count.VehicleCount, count.At);
        if (!ReferenceEquals(next, asset)) await CommitAsync(next, durable: false, causeAt: null, coalesce: true);
    }

    public async Task<Asset?> SetStatusAsync(AssetStatus status)
    {
        await TakeLiveAsync();
        if (Current is not { } asset) return null;
        if (asset.OperatorStatus == status) return asset;
        await CommitAsync(Changed(asset with { OperatorStatus = status }), durable: true, causeAt: null);
        return Current;
    }

    public async Task<UpsertResult> SetLinkConditionAsync(LinkCondition condition, double? latencyMs, double? packetLossPct)
    {
        await TakeLiveAsync();
        if (Current is not { } asset) return new UpsertResult(UpsertOutcome.NotFound, null, []);
        if (asset.Link is not { } link) return NotA(asset, "link", "condition");
        var errors = AssetValidator.ValidateLinkCondition(latencyMs, packetLossPct);
        if (!Enum.IsDefined(condition)) errors.Add(new("condition", "must be up, degraded or down"));
        if (errors.Count > 0) return new UpsertResult(UpsertOutcome.Invalid, null, [.. errors]);

        var next = link with { Condition = condition, LatencyMs = latencyMs ?? link.LatencyMs, PacketLossPct = packetLossPct ?? link.PacketLossPct };
        if (next == link) return new UpsertResult(UpsertOutcome.Unchanged, asset, []);
        await CommitAsync(Changed(asset with { Link = next }), durable: true, causeAt: _time.GetUtcNow());
        LogLinkCondition(asset.Id, condition);
        return new UpsertResult(UpsertOutcome.Updated, Current, []);
    }

    /// <summary>A link's signal is numbered by its version: written through with every change of condition, so it only ever rises.</summary>
    public Task<LinkSignal?> GetLinkSignalAsync() => Task.FromResult(Current is { Link: { } link } asset
        ? new LinkSignal(asset.Id, link.Condition, asset.Version, asset.UpdatedAt, _time.GetUtcNow())
        : null);

    public async Task<UpsertResult> SetControllerFaultAsync(bool fault)
    {
        await TakeLiveAsync();
        if (Current is not { } asset) return new UpsertResult(UpsertOutcome.NotFound, null, []);
        if (asset.Intersection is not { } intersection) return NotA(asset, "intersection", "fault");
        if (intersection.ControllerFault == fault) return new UpsertResult(UpsertOutcome.Unchanged, asset, []);
        await CommitAsync(Changed(asset with { Intersection = intersection with { ControllerFault = fault } }), durable: true, causeAt: _time.GetUtcNow());
        return new UpsertResult(UpsertOutcome.Updated, Current, []);
    }

    public async Task<UpsertResult> SetSignalPlanAsync(SignalPlan plan, SignalPlan? expected)
    {
        await TakeLiveAsync();
        if (Current is not { } asset) return new UpsertResult(UpsertOutcome.NotFound, null, []);
        if (asset.Intersection is not { } intersection) return NotA(asset, "intersection", "plan");
        var errors = new List<ValidationError>();
        SignalPlanValidator.Validate(plan, errors, "plan");
        if (errors.Count > 0) return new UpsertResult(UpsertOutcome.Invalid, null, [.. errors]);
        if (expected is not null && !intersection.Plan.SameAs(expected))
            return new UpsertResult(UpsertOutcome.Conflict, asset, [new("plan", $"'{asset.Id}' runs another plan than expected (cycle {intersection.Plan.CycleSeconds} s): it changed since")]);
        if (intersection.Plan.SameAs(plan)) return new UpsertResult(UpsertOutcome.Unchanged, asset, []);
        await CommitAsync(Changed(asset with { Intersection = intersection with { Plan = plan } }), durable: true, causeAt: _time.GetUtcNow());
        return new UpsertResult(UpsertOutcome.Updated, Current, []);
    }

    public async Task OnBackhaulAsync(LinkSignal signal)
    {
        if (Current is not { } asset || asset.Dependencies.BackhaulLinkId != signal.LinkId) return; // not (or no longer) ours
        var up = asset.Upstream;
        if (up.BackhaulLinkId == signal.LinkId && signal.Sequence <= up.BackhaulSequence) return; // late or duplicate
        await CommitAsync(asset with { Upstream = Heard(up, signal, asset.Dependencies.BackhaulLinkId) }, durable: false, signal.CauseAt);
    }

    public async Task OnPowerAsync(PowerSignal signal)
    {
        if (Current is not { } asset || signal.Version <= asset.Upstream.PowerVersion) return; // late or duplicate
        await CommitAsync(asset with { Upstream = Heard(asset.Upstream, signal) }, durable: false, signal.CauseAt);
    }

    public async Task OnCameraReportAsync(CameraReport report)
    {
        if (Current is not { Intersection: { } intersection } asset) return;
        var feeds = intersection.Cameras;
        var at = Array.FindIndex(feeds, f => f.CameraId == report.Feed.CameraId);
        if (at >= 0 && report.Feed.Sequence <= feeds[at].Sequence) return; // late or duplicate
        if (at < 0 && report.Detached) return;
        var feed = at >= 0 && report.Feed.Online && feeds[at].CountAt > report.Feed.CountAt // its district sent a newer count
            ? report.Feed with { VehicleCount = feeds[at].VehicleCount, CountAt = feeds[at].CountAt }
            : report.Feed;
        CameraFeed[] next = report.Detached ? [.. feeds.Where((_, i) => i != at)]
            : at >= 0 ? [.. feeds[..at], feed, .. feeds[(at + 1)..]]
            : [.. feeds.Append(report.Feed).OrderBy(f => f.CameraId, StringComparer.Ordinal)];
        // A report that telemetry caused (no cascade behind it) reaches the district coalesced, like the reading itself.
        await CommitAsync(asset with { Intersection = intersection with { Cameras = next } }, durable: false, report.CauseAt, coalesce: report.CauseAt is null);
    }

    /// <summary>A link's reminder after a change of condition: its backhaul grain gets the condition directly (a no-op if it heard it).</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (reminderName == LinkSignalReminder && await GetLinkSignalAsync() is { } signal)
            await GrainFactory.GetGrain<IBackhaulGrain>(Key).CatchUpAsync(signal);
        await new ResumeReminder(this, reminderName).EndAsync();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating = true; // a late answer of the district no longer changes the state (TakeLateAsync)
        if (_unsaved) await WriteStateAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    private Asset Changed(Asset asset) => asset with { Version = asset.Version + 1, UpdatedAt = _time.GetUtcNow() };

    private static UpsertResult NotA(Asset asset, string type, string field) =>
        new(UpsertOutcome.Invalid, null, [new(field, $"applies to a {type}; '{asset.Id}' is a {asset.Type.ToString().ToLowerInvariant()}")]);

    /// <summary>
    /// Derives the asset, stores it (written through, or behind) and tells whoever depends on what changed.
    /// <paramref name="announce"/> publishes even what did not change: after an activation, since events of the
    /// previous activation may have died with its silo.
    /// </summary>
    private async Task CommitAsync(Asset next, bool durable, DateTimeOffset? causeAt, bool announce = false, bool coalesce = false)
    {
        var previous = announce ? null : Current;
        next = CascadeRules.Derive(next);
        var history = Stored.History;
        if (!announce) Log(previous, next);
        // A link's new condition reaches its backhaul grain on the link's stream, whose queue dies with a silo: if that
        // happens before the grain took it, no one would tell the dependents. A reminder, registered before the change
        // is stored, hands the condition over directly a minute later (ReceiveReminder) on whichever silo is alive.
        if (durable && next.Link is { } link && previous?.Link is { } was && was.Condition != link.Condition)
            await new ResumeReminder(this, LinkSignalReminder).BeginAsync();
        if (durable)
        {
            try
            {
                await WriteAsync(next);
            }
            catch
            {
                Stored.History = history; // nothing half-applied
                throw;
            }
        }
        else
        {
            Stored.Asset = next;
        }
        try
        {
            await PublishAsync(previous, next, causeAt, coalesce: coalesce);
        }
        finally
        {
            if (!durable)
            {
                _store.WriteBehind(Key, NextStamp(), Snapshot()); // after publishing, with the sequence it used; even if publishing failed
                _unsaved = true;
            }
        }
    }

    /// <summary>
    /// Publishes what changed from <paramref name="previous"/> (everything when null). <paramref name="repeat"/>
    /// re-sends the last published state under its own sequence: whoever has it ignores it, whoever missed it catches up.
    /// <paramref name="coalesce"/>: the district hears of it within the coalescing window (telemetry, see <see cref="ChangeCoalescer"/>).
    /// </summary>
    private async Task PublishAsync(Asset? previous, Asset next, DateTimeOffset? causeAt, bool repeat = false, bool coalesce = false)
    {
        var streams = this.GetStreamProvider(TwinStreams.Provider);
        var now = _time.GetUtcNow();
        long sequence = repeat ? Stored.Sequence : 0;
        // Clock ticks as a floor keep sequences rising across activations even if a written-behind tail was lost.
        long Sequence() => sequence != 0 ? sequence : sequence = Stored.Sequence = Math.Max(Stored.Sequence + 1, now.UtcTicks);

        if (previous is not null && previous.District != next.District)
            await streams.PublishAsync(TwinStreams.Changes, previous.District, new AssetChange(previous.Summary, Sequence(), true, 0, 0, [], causeAt, now));
        var alarms = AlarmRules.Evaluate(next);
        var attributes = AssetAttributes.Read(next);
        if (previous is null || previous.District != next.District || !SameProjection(previous, next, alarms, attributes))
        {
            var change = new AssetChange(next.Summary, Sequence(), false,
                next.Pole?.DrawW() ?? 0, next.Intersection?.DegreeOfSaturation ?? 0, alarms, causeAt, now, Attributes: attributes, Asset: next);
            if (coalesce && previous?.District == next.District) _coalescer.Add(next.District, change);
            else await streams.PublishAsync(TwinStreams.Changes, next.District, change);
        }

        if (next.Link is { } link && (previous?.Link is not { } was || was.Condition != link.Condition))
            await streams.PublishAsync(TwinStreams.Link, next.Id, new LinkSignal(next.Id, link.Condition, next.Version, causeAt ?? now, now));

        if (next.Camera is not null)
        {
            var watched = next.Dependencies.WatchedIntersectionId;
            var before = previous?.Dependencies.WatchedIntersectionId;
            if (before is not null && before != watched)
                await streams.PublishAsync(TwinStreams.Detections, before, new CameraReport(CascadeRules.Report(previous!, Sequence()), true, causeAt, now));
            if (watched is not null && (before != watched || !SameReport(CascadeRules.Report(previous!, 0), CascadeRules.Report(next, 0))))
                await streams.PublishAsync(TwinStreams.Detections, watched, new CameraReport(CascadeRules.Report(next, Sequence()), false, causeAt, now));
        }
    }

    /// <summary>Appends the change of state (if any) to the persisted log, pruned to the retention, as a new list (the old one may be staged).</summary>
    private void Log(Asset? previous, Asset next)
    {
        var changes = StateDiff.Between(previous, next);
        if (changes.Length == 0) return;
        var history = Stored.History ?? [];
        var now = _time.GetUtcNow();
        var since = now - _options.HistoryRetention;
        var stale = history.FindIndex(c => c.At >= since) is var keep and >= 0 ? keep : history.Count;
        stale = Math.Min(Math.Max(stale, history.Count + 1 - _options.HistoryMaxChanges), history.Count);
        var kept = new List<StateChange>(history.Count - Math.Max(stale, 0) + 1);
        for (var i = Math.Max(stale, 0); i < history.Count; i++) kept.Add(history[i]);
        kept.Add(new StateChange(now, next.Version, previous?.Status, next.Status, changes));
        Stored.History = kept;
    }

    /// <summary>True when the district would learn nothing new: same summary and attributes, same share of its aggregates, same alarms.</summary>
    private static bool SameProjection(Asset previous, Asset next, AlarmCondition[] alarms, double[] attributes) =>
        previous.Summary == next.Summary
        && AssetAttributes.SameValues(AssetAttributes.Read(previous), attributes)
        && (previous.Pole?.DrawW() ?? 0) == (next.Pole?.DrawW() ?? 0)
        && (previous.Intersection?.DegreeOfSaturation ?? 0) == (next.Intersection?.DegreeOfSaturation ?? 0)
        && SameAlarms(AlarmRules.Evaluate(previous), alarms);

    private static bool SameAlarms(AlarmCondition[] x, AlarmCondition[] y) => AlarmRules.Same(x, y);

    private IDistrictGrain District(Asset asset) => GrainFactory.GetGrain<IDistrictGrain>(asset.District);

    /// <summary>
    /// A question to the asset's district, or null when the district did not answer in time: its silo died and has not
    /// been declared dead yet (Orleans retries the call until then), or it is stalled. A read waits about as long as
    /// the district's answers usually take (<see cref="DistrictReachability.ReadWait"/>), anything else
    /// <see cref="TwinOptions.DistrictReadWait"/>; an asset that is itself alive is not held up for it. Once a question
    /// has gone unanswered for <see cref="TwinOptions.DistrictReadWait"/>, no asset of this silo waits for the same
    /// district until it answers one of the questions sent now and then in the background (<see cref="DistrictReachability"/>).
    /// </summary>
    private async Task<T?> FromDistrictAsync<T>(Asset asset, Func<IDistrictGrain, Task<T>> ask, bool read = false) where T : class
    {
        switch (_districts.Call(asset.District))
        {
            case DistrictCall.Skip:
                if (read) _metrics.ReadWithoutDistrict(silent: true);
                return null;
            case DistrictCall.AskAgain:
                _ = AskAgainAsync(asset.District, ask(District(asset)));
                if (read) _metrics.ReadWithoutDistrict(silent: true);
                return null;
        }
        var since = _time.GetTimestamp();
        var asking = ask(District(asset));
        try
        {
            var answer = await asking.WaitAsync(read ? _districts.ReadWait(asset.District) : _options.DistrictReadWait, _time);
            _districts.Answered(asset.District, _time.GetElapsedTime(since));
            return answer;
        }
        catch (Exception e) when (IsSilence(e))
        {
            _ = HearOutAsync(asset.District, asking, since); // this call goes on without; the question decides whether the district is silent
            if (read) _metrics.ReadWithoutDistrict(silent: e is not TimeoutException);
            return null;
        }
    }

    /// <summary>
    /// A question its caller stopped waiting for, given the rest of <see cref="TwinOptions.DistrictReadWait"/>: its
    /// answer counts for the district's read wait (a slow answer makes the next reads wait longer); silence marks the
    /// district silent — at once, before the caller goes on, when the whole wait is spent or its silo is known lost.
    /// </summary>
    private async Task HearOutAsync(string district, Task asking, long since)
    {
        try
        {
            var left = _options.DistrictReadWait - _time.GetElapsedTime(since);
            await asking.WaitAsync(left > TimeSpan.Zero ? left : TimeSpan.Zero, _time);
            _districts.Answered(district, _time.GetElapsedTime(since));
        }
        catch (Exception e) when (IsSilence(e))
        {
            _districts.Silent(district);
            LogDistrictUnreachable(Key, district);
        }
        catch
        {
            _districts.Answered(district); // an error is an answer too; only silence makes the district silent
        }
    }

    /// <summary>A silent district asked again in the background: an answer, however late, makes it reachable for every asset.</summary>
    private async Task AskAgainAsync(string district, Task asking)
    {
        try
        {
            await asking;
            _districts.Answered(district);
            LogDistrictAnswersAgain(Key, district);
        }
        catch (Exception e) when (IsSilence(e))
        {
            _districts.Silent(district);
        }
        catch
        {
            _districts.Answered(district); // an error is an answer too; only silence keeps the district skipped
        }
    }

    /// <summary>The district did not answer: its silo is gone or going (or it is stalled), not failing.</summary>
    private static bool IsSilence(Exception e) => e is TimeoutException || SiloLoss.Is(e);

    /// <summary>
    /// Takes in the readings the district applied since (it holds the asset's live telemetry), so what this grain
    /// answers or writes next carries them. In memory only: the district stores them.
    /// </summary>
    /// <param name="read">
    /// For a read: one that arrives while this asset's own question has already waited <see cref="ImpatientAfter"/>
    /// does not ask and wait too. It is mostly the API's copy of a read stuck behind a district that went silent with
    /// its silo (a copy comes after the reads' p95, at least that long), and the last readings are as good as an answer
    /// that late; the first read still waits it out and marks the district silent for the others.
    /// </param>
    private async Task TakeLiveAsync(bool read = false)
    {
        if (Current is not { } asset) return;
        // The activation has just taken it in, for the call that woke this grain (a cold GET's second district call).
        if (_liveJustTaken) { _liveJustTaken = false; return; }
        if (read && _liveAsk is { IsCompleted: false } && _time.GetElapsedTime(_liveAskSince) >= ImpatientAfter)
        {
            _metrics.ReadWithoutDistrict(silent: true);
            return;
        }
        // Without its district, answer with the readings this asset last took in (its telemetryAt says how old).
        Task<LiveAsset>? question = null;
        var asking = FromDistrictAsync(asset, district => question = district.LiveOfAsync(Key), read);
        if (!asking.IsCompleted) (_liveAsk, _liveAskSince) = (asking, _time.GetTimestamp());
        if (await asking is not { } live)
        {
            if (question is not null) _ = TakeLateAsync(asset, question);
            return;
        }
        if (ReferenceEquals(Current, asset)) TakeLive(asset, live);
    }

    /// <summary>
    /// A question to the district that a call stopped waiting for: its answer, when it comes, is taken in — unless the
    /// asset changed meanwhile, a call is running or the grain is going — so the next read that cannot wait for the
    /// district answers with readings as old as the district's last answer, not as old as the last read that waited.
    /// </summary>
    private async Task TakeLateAsync(Asset asset, Task<LiveAsset> question)
    {
        LiveAsset live;
        try
        {
            live = await question;
        }
        catch
        {
            return; // silence or an error: what it says of the district is HearOutAsync's or AskAgainAsync's to decide
        }
        if (_running == 0 && !_deactivating && ReferenceEquals(Current, asset)) TakeLive(asset, live);
    }

    /// <summary>The district's copy of the asset, <paramref name="live"/>, taken into <paramref name="asset"/> (the current state).</summary>
    private void TakeLive(Asset asset, LiveAsset live)
    {
        var joined = Stored.Asset = live.Over(asset);
        // The district stores its readings, but cameras' counts it took in only live with this grain's state: write them behind.
        if (asset.Intersection is { } before && joined.Intersection is { } after && !before.Cameras.Select(c => c.CountAt).SequenceEqual(after.Cameras.Select(c => c.CountAt)))
        {
            _store.WriteBehind(Key, NextStamp(), Snapshot());
            _unsaved = true;
        }
    }

    private static bool SameReport(CameraFeed x, CameraFeed y) =>
        x.Online == y.Online && x.VehicleCount == y.VehicleCount && x.Approach == y.Approach && x.Cause.SequenceEqual(y.Cause);

    /// <summary>
    /// Registers with the sources the asset depends on (its backhaul link, its district's power) when they changed,
    /// or all of them when <paramref name="force"/>d, and folds in what they say now.
    /// </summary>
    private async Task<Asset> WithUpstreamAsync(Asset next, Asset? previous, bool force)
    {
        var linkId = next.Dependencies.BackhaulLinkId;
        var linkChanged = force || previous?.Dependencies.BackhaulLinkId != linkId;
        var powerChanged = next.Type != AssetType.Link
            && (force || previous is null || previous.District != next.District || previous.Dependencies.PowerFeederId != next.Dependencies.PowerFeederId);

        var link = linkChanged && linkId is not null ? GrainFactory.GetGrain<IBackhaulGrain>(linkId).RegisterAsync(next.Id, next.Type) : null;
        var power = powerChanged ? GrainFactory.GetGrain<IPowerGrain>(next.District).RegisterAsync(next.Id, next.Dependencies.PowerFeederId) : null;
        var up = next.Upstream;
        if (linkChanged)
        {
            var signal = link is null ? null : await link;
            if (signal is not null) up = up.BackhaulLinkId == signal.LinkId && signal.Sequence < up.BackhaulSequence ? up : Heard(up, signal, linkId);
            else up = up with { Backhaul = LinkCondition.Up, BackhaulSequence = 0, BackhaulLinkId = linkId };
        }
        if (power is not null)
        {
            var signal = await power;
            // Versions are per district: a new district's signal counts whatever its version.
            if (!force || signal.Version >= up.PowerVersion) up = Heard(up, signal);
        }
        return ReferenceEquals(up, next.Upstream) ? next : next with { Upstream = up };
    }

    private static Upstream Heard(Upstream up, LinkSignal s, string? linkId) =>
        up with { Backhaul = s.Condition, BackhaulSequence = s.Sequence, BackhaulLinkId = linkId };

    private static Upstream Heard(Upstream up, PowerSignal s) =>
        up with { Powered = s.Powered, PowerCause = s.Powered ? null : s.Cause, PowerVersion = s.Version };

    private async Task UnregisterStaleAsync(Asset? previous, Asset next)
    {
        if (previous is null) return;
        if (previous.Dependencies.BackhaulLinkId is { } oldLink && oldLink != next.Dependencies.BackhaulLinkId)
            await GrainFactory.GetGrain<IBackhaulGrain>(oldLink).UnregisterAsync(next.Id);
        if (previous.Type != AssetType.Link && (previous.District != next.District || previous.Dependencies.PowerFeederId != next.Dependencies.PowerFeederId))
            await GrainFactory.GetGrain<IPowerGrain>(previous.District).UnregisterAsync(next.Id, previous.Dependencies.PowerFeederId);
    }

    /// <summary>Writes through; restores the previous state if storage refuses, so memory never runs ahead of storage.</summary>
    private async Task WriteAsync(Asset next)
    {
        var previous = Stored.Asset;
        Stored.Asset = next;
        try
        {
            await WriteStateAsync();
        }
        catch
        {
            Stored.Asset = previous;
            if (_unsaved) _store.WriteBehind(Key, NextStamp(), Snapshot()); // what was written behind went with the failed write
            throw;
        }
    }

    private async Task WriteStateAsync()
    {
        await _store.WriteThroughAsync(Key, NextStamp(), Snapshot());
        _unsaved = false;
    }

    private AssetGrainState Snapshot() => new() { Asset = Stored.Asset, Sequence = Stored.Sequence, History = Stored.History };

    private long NextStamp() => _stamp = Math.Max(_stamp + 1, _time.GetUtcNow().UtcTicks);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Asset {AssetId} written at version {Version}")]
    private partial void LogUpserted(string assetId, long version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Link {LinkId} is now {Condition}")]
    private partial void LogLinkCondition(string linkId, LinkCondition condition);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Asset {AssetId} answered without its district {DistrictId}, which did not answer in time: its own last readings")]
    private partial void LogDistrictUnreachable(string assetId, string districtId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Asset {AssetId} asked its silent district {DistrictId} again, and it answered: reads wait for it again")]
    private partial void LogDistrictAnswersAgain(string assetId, string districtId);
}
