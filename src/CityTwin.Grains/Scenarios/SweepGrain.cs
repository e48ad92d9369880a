using System.Diagnostics;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Runtime.Placement;
using Orleans.Placement;

namespace CityTwin.Grains.Scenarios;

/// <summary>
/// Coordinates a sweep. The snapshot is captured once, when the sweep is submitted; its runs are handed to one
/// <see cref="ISweepWorkerGrain"/> per active silo, <see cref="ScenarioOptions.MaxConcurrent"/> at a time each, and the
/// next one goes to whichever silo reports first, so the job spreads over the cluster by each silo's speed. Every
/// outcome is stored within <see cref="CheckInterval"/> of its arrival (a coordinator that dies has those runs redone).
/// <para>
/// A check every <see cref="CheckInterval"/> hands again the runs of a silo that left the cluster or of a worker that
/// no longer holds them (at most <see cref="MaxTries"/> times each). If the coordinator's own silo stops, a reminder
/// activates it elsewhere: the finished runs are kept and the rest run on a snapshot captured then (said in the view's
/// note), by new workers — the old ones' outcomes are refused.
/// </para>
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: a sweep in progress would be resumed, not continued
public sealed partial class SweepGrain : Grain, ISweepGrain, IRemindable
{
    public const int MaxAttempts = 3;
    public const int MaxTries = 3;
    public static readonly TimeSpan CheckInterval = TimeSpan.FromSeconds(2);

    private readonly IPersistentState<SweepGrainState> _state;
    private readonly TimeProvider _time;
    private readonly ScenarioOptions _options;
    private readonly ILogger<SweepGrain> _logger;
    private readonly ResumeReminder _resume;

    // This activation's work; rebuilt from the stored spec and outcomes when it is taken up again.
    private TwinSnapshot? _snapshot;
    private SweepRun[] _runs = [];
    private readonly Queue<int> _pending = new();
    private readonly Dictionary<int, (SiloAddress Silo, string Worker)> _inFlight = [];
    private readonly Dictionary<int, int> _tries = [];
    private readonly HashSet<int> _done = [];
    private readonly HashSet<string> _workers = [];
    private IGrainTimer? _check;
    private bool _unsaved; // outcomes not yet stored (at most one check interval's: a coordinator that dies runs them again)
    private Stopwatch? _wall;

    public SweepGrain(
        [PersistentState("sweep", StorageNames.Assets)] IPersistentState<SweepGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        IOptions<ScenarioOptions> options,
        ILogger<SweepGrain> logger)
    {
        _state = state;
        _time = time;
        _options = options.Value;
        _logger = logger;
        _resume = new ResumeReminder(this, "resume");
    }

    private string Id => this.GetPrimaryKeyString();
    private SweepView View => _state.State.View!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // Queued or running when its silo went away: take it up again, keeping the runs that finished.
        if (_state.State.View is not { Status: ScenarioStatus.Queued or ScenarioStatus.Running } view) return;
        if (_state.State.Spec is { } spec && view.Attempt < MaxAttempts)
        {
            _state.State.Epoch++;
            _state.State.View = view with
            {
                Attempt = view.Attempt + 1,
                Note = $"Taken up again at {_time.GetUtcNow():u} (attempt {view.Attempt + 1} of {MaxAttempts}): the silo coordinating it stopped; " +
                       $"the {_state.State.Outcomes.Count} runs that had finished are kept, the others run on a snapshot captured now.",
            };
            await _state.WriteStateAsync(cancellationToken);
            this.RegisterGrainTimer(() => ResumeAsync(spec), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            return;
        }
        _state.State.View = view with { Status = ScenarioStatus.Failed, Error = "interrupted: the silo coordinating it stopped too often", FinishedAt = _time.GetUtcNow() };
        await _state.WriteStateAsync(cancellationToken);
    }

    private async Task ResumeAsync(SweepSpec spec)
    {
        try
        {
            var snapshot = await SnapshotCapture.ForSpecAsync(GrainFactory, spec.Scenario!);
            if (SweepValidator.Validate(spec, snapshot) is { Count: > 0 } errors)
                await FinishAsync(ScenarioStatus.Failed, $"interrupted, and the live twin no longer has what it names: {string.Join("; ", errors.Select(x => $"{x.Field}: {x.Message}"))}");
            else await BeginAsync(spec, snapshot);
        }
        catch (Exception e)
        {
            await FinishAsync(ScenarioStatus.Failed, $"interrupted, and its snapshot could not be captured again: {e.Message}");
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_state.State.View is not { Status: ScenarioStatus.Queued or ScenarioStatus.Running }) await _resume.EndAsync();
    }

    public async Task<ScenarioStartResult> StartAsync(SweepSpec sweep)
    {
        if (_state.State.View is not null) return new(ScenarioStartOutcome.Exists, []);
        var errors = SweepValidator.Validate(sweep);
        if (errors.Count > 0) return new(ScenarioStartOutcome.Invalid, [.. errors]);
        var scenario = sweep.Scenario!;
        if (scenario.SnapshotId is { } snapshotId && !await SnapshotCapture.ExistsAsync(GrainFactory, snapshotId))
            return new(ScenarioStartOutcome.Invalid, [SnapshotCapture.Unknown("scenario.snapshotId")]);

        var watch = Stopwatch.StartNew();
        var snapshot = await SnapshotCapture.ForSpecAsync(GrainFactory, scenario);
        var captured = watch.Elapsed;
        errors = SweepValidator.Validate(sweep, snapshot);
        if (errors.Count > 0) return new(ScenarioStartOutcome.Invalid, [.. errors]);

        _state.State.Spec = sweep;
        _state.State.Epoch = 1;
        _state.State.View = new SweepView
        {
            Id = Id,
            Name = sweep.Name,
            Status = ScenarioStatus.Queued,
            SubmittedAt = _time.GetUtcNow(),
            Runs = SweepPlan.Expand(sweep).Length,
            SnapshotAssets = snapshot.AssetCount,
            SnapshotSeconds = captured.TotalSeconds,
        };
        try
        {
            await _state.WriteStateAsync();
        }
        catch
        {
            (_state.State.View, _state.State.Spec) = (null, null);
            throw;
        }
        await _resume.BeginAsync();
        await GrainFactory.GetGrain<IScenarioIndexGrain>(IScenarioIndexGrain.SweepsKey).AddAsync(Id);
        LogSubmitted(_logger, Id, _state.State.View.Runs, snapshot.AssetCount, captured.TotalMilliseconds);
        await BeginAsync(sweep, snapshot);
        return new(ScenarioStartOutcome.Accepted, []);
    }

    /// <summary>Plans the runs that have no outcome yet and starts handing them out.</summary>
    private async Task BeginAsync(SweepSpec sweep, TwinSnapshot snapshot)
    {
        _snapshot = snapshot;
        // Runs carry no inline assets: the workers have the snapshot.
        _runs = SweepPlan.Expand(sweep).Select(r => r with { Spec = r.Spec with { Assets = null, SnapshotId = r.Spec.SnapshotId ?? "inline" } }).ToArray();
        foreach (var outcome in _state.State.Outcomes) _done.Add(outcome.Index);
        foreach (var run in _runs) if (!_done.Contains(run.Index)) _pending.Enqueue(run.Index);
        _wall = Stopwatch.StartNew();
        DelayDeactivation(TimeSpan.FromHours(24));
        _state.State.View = View with { Status = ScenarioStatus.Running, StartedAt = View.StartedAt ?? _time.GetUtcNow() };
        _check = this.RegisterGrainTimer(CheckAsync, CheckInterval, CheckInterval);
        if (_pending.Count == 0) await FinishAsync(ScenarioStatus.Completed, null);
        else await DispatchAsync();
    }

    /// <summary>Fills every active silo's slots from the pending runs.</summary>
    private async Task DispatchAsync()
    {
        if (View.Status != ScenarioStatus.Running || _pending.Count == 0) return;
        var silos = await ActiveSilosAsync();
        var perSilo = Math.Max(1, _options.MaxConcurrent) + 1; // one waiting in each silo, so a slot never idles between runs
        foreach (var silo in silos)
        {
            var worker = $"{Id}/{_state.State.Epoch}/{silo}";
            var busy = _inFlight.Values.Count(v => v.Silo.Equals(silo));
            while (busy < perSilo && _pending.Count > 0 && View.Status == ScenarioStatus.Running)
            {
                var index = _pending.Dequeue();
                if (_done.Contains(index)) continue;
                _inFlight[index] = (silo, worker);
                busy++;
                try
                {
                    RequestContext.Set(IPlacementDirector.PlacementHintKey, silo); // a new worker activates on that silo
                    await GrainFactory.GetGrain<ISweepWorkerGrain>(worker).RunAsync(Id, _state.State.Epoch, _runs[index]);
                    _workers.Add(worker);
                }
                catch (Exception e)
                {
                    LogHandFailed(_logger, e, Id, index, silo.ToString());
                    _inFlight.Remove(index);
                    _pending.Enqueue(index); // the next check tries again, maybe elsewhere
                    break;
                }
                finally
                {
                    RequestContext.Remove(IPlacementDirector.PlacementHintKey);
                }
            }
        }
    }

    private async Task<SiloAddress[]> ActiveSilosAsync()
    {
        var hosts = await GrainFactory.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true);
        return hosts.Keys.OrderBy(s => s.ToString(), StringComparer.Ordinal).ToArray();
    }

    /// <summary>Hands again what a departed silo or a forgetful worker held; then fills the slots.</summary>
    private async Task CheckAsync()
    {
        if (View.Status != ScenarioStatus.Running) return;
        if (_unsaved)
        {
            _unsaved = false;
            await _state.WriteStateAsync();
        }
        var active = (await ActiveSilosAsync()).ToHashSet();
        foreach (var group in _inFlight.GroupBy(f => f.Value.Worker).ToArray())
        {
            int[] held;
            if (!active.Contains(group.First().Value.Silo)) held = [];
            else
            {
                try
                {
                    held = await GrainFactory.GetGrain<ISweepWorkerGrain>(group.Key).HoldingAsync();
                }
                catch (Exception e)
                {
                    LogHandFailed(_logger, e, Id, group.First().Key, group.First().Value.Silo.ToString());
                    continue; // asked again at the next check
                }
            }
            foreach (var (index, _) in group)
            {
                if (held.Contains(index) || _done.Contains(index) || !_inFlight.Remove(index)) continue;
                var tries = _tries[index] = _tries.GetValueOrDefault(index) + 1;
                if (tries < MaxTries) _pending.Enqueue(index);
                else await RecordAsync(SweepRunOutcome.Failed(_runs[index], $"lost with its silo {tries} times", ""));
            }
        }
        if (View.Status == ScenarioStatus.Running) await DispatchAsync();
    }

    /// <summary>Its silo is stopping: the outcomes not stored yet are, so that the sweep taken up elsewhere keeps them.</summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (!_unsaved) return;
        _unsaved = false;
        await _state.WriteStateAsync(cancellationToken);
    }

    public Task<TwinSnapshot?> GetSnapshotAsync(int epoch) =>
        Task.FromResult(epoch == _state.State.Epoch && View is { Status: ScenarioStatus.Running } ? _snapshot : null);

    public async Task<bool> FinishedAsync(int epoch, SweepRunOutcome outcome)
    {
        if (_state.State.View is not { Status: ScenarioStatus.Running } || epoch != _state.State.Epoch) return false;
        _inFlight.Remove(outcome.Index);
        if (!_done.Contains(outcome.Index)) await RecordAsync(outcome);
        await DispatchAsync();
        return View.Status == ScenarioStatus.Running;
    }

    private async Task RecordAsync(SweepRunOutcome outcome)
    {
        _done.Add(outcome.Index);
        _state.State.Outcomes.Add(outcome);
        if (_done.Count >= _runs.Length)
        {
            var failed = _state.State.Outcomes.Count(o => !o.Succeeded);
            await FinishAsync(failed == _runs.Length ? ScenarioStatus.Failed : ScenarioStatus.Completed,
                failed == 0 ? null : $"{failed} of {_runs.Length} runs failed: {_state.State.Outcomes.First(o => !o.Succeeded).Error}");
        }
        else _unsaved = true; // stored by the next check: a spec with its assets inline is megabytes, not rewritten per run
    }

    private async Task FinishAsync(ScenarioStatus status, string? error)
    {
        _check?.Dispose();
        _check = null;
        _state.State.View = View with { Status = status, Error = error ?? View.Error, FinishedAt = _time.GetUtcNow(), Progress = Progress };
        await _state.WriteStateAsync();
        LogFinished(_logger, Id, status, _done.Count, _wall?.Elapsed.TotalSeconds ?? 0);
        await CancelWorkersAsync(); // stops what is left, and lets go of their copies of the snapshot
        await _resume.EndAsync();
        DelayDeactivation(TimeSpan.Zero);
    }

    private async Task CancelWorkersAsync()
    {
        foreach (var worker in _workers)
        {
            try { await GrainFactory.GetGrain<ISweepWorkerGrain>(worker).CancelAsync(); }
            catch (Exception e) { LogHandFailed(_logger, e, Id, -1, worker); } // its next report is refused
        }
    }

    private double Progress => _runs.Length == 0 ? 0 : (double)_done.Count / _runs.Length;

    public Task<SweepView?> GetAsync(bool includeRuns)
    {
        if (_state.State.View is not { } view) return Task.FromResult<SweepView?>(null);
        var spec = _state.State.Spec!;
        var outcomes = _state.State.Outcomes;
        return Task.FromResult<SweepView?>(view with
        {
            Progress = view.Status == ScenarioStatus.Running ? Progress : view.Progress,
            InFlight = _inFlight.Count,
            RunsBySilo = outcomes.Where(o => o.Silo != "").GroupBy(o => o.Silo).ToDictionary(g => g.Key, g => g.Count()),
            Result = SweepAggregation.Aggregate(spec, _runs.Length > 0 ? _runs : SweepPlan.Expand(spec), outcomes),
            RunOutcomes = includeRuns ? [.. outcomes.OrderBy(o => o.Index)] : null,
        });
    }

    public async Task<SweepView?> CancelAsync()
    {
        if (_state.State.View is null) return null;
        if (View.Status is ScenarioStatus.Queued or ScenarioStatus.Running)
        {
            _pending.Clear();
            _inFlight.Clear();
            await FinishAsync(ScenarioStatus.Cancelled, null);
        }
        return await GetAsync(includeRuns: false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} submitted: {Runs} runs on a snapshot of {Assets} assets captured in {Milliseconds} ms")]
    private static partial void LogSubmitted(ILogger logger, string sweepId, int runs, int assets, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Sweep {SweepId} {Status}: {Runs} runs in {Seconds:0.0} s")]
    private static partial void LogFinished(ILogger logger, string sweepId, ScenarioStatus status, int runs, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep {SweepId}: handing run {Index} to {Silo} failed; it is handed again")]
    private static partial void LogHandFailed(ILogger logger, Exception exception, string sweepId, int index, string silo);
}
