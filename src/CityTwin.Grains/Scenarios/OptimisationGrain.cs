using System.Diagnostics;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;

namespace CityTwin.Grains.Scenarios;

/// <summary>
/// One signal-plan optimisation. Captured and validated when submitted, searched on the thread pool in one of the
/// silo's scenario slots (<see cref="SignalOptimiser"/>), its result stored. A search whose silo stopped starts again
/// from its spec when the grain is next activated (its view's note says so). Applying and reverting change the live
/// intersections through their own grains, all or none: each plan is set only if the intersection still runs the plan
/// expected, and one that does not makes the others that were already set go back.
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: a search in progress would start again
public sealed partial class OptimisationGrain : Grain, IOptimisationGrain
{
    public const int MaxAttempts = 3;

    private readonly IPersistentState<OptimisationGrainState> _state;
    private readonly TimeProvider _time;
    private readonly ScenarioLimiter _limiter;
    private readonly ILogger<OptimisationGrain> _logger;
    private CancellationTokenSource? _cancel;
    private Task? _run;
    private double _progress;

    public OptimisationGrain(
        [PersistentState("optimisation", StorageNames.Assets)] IPersistentState<OptimisationGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        ScenarioLimiter limiter,
        ILogger<OptimisationGrain> logger)
    {
        _state = state;
        _time = time;
        _limiter = limiter;
        _logger = logger;
    }

    private string Id => this.GetPrimaryKeyString();
    private OptimisationView View => _state.State.View!;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (_state.State.View is not { Status: ScenarioStatus.Queued or ScenarioStatus.Running } view || _state.State.Spec is not { } spec) return;
        if (_state.State.Attempt >= MaxAttempts)
        {
            _state.State.View = view with { Status = ScenarioStatus.Failed, Error = "interrupted: the silo running it stopped too often", FinishedAt = _time.GetUtcNow() };
            await _state.WriteStateAsync(cancellationToken);
            return;
        }
        _state.State.Attempt++;
        _state.State.View = view with { Status = ScenarioStatus.Queued, Progress = 0, Note = $"started again at {_time.GetUtcNow():u} (attempt {_state.State.Attempt}): the silo running it stopped" };
        await _state.WriteStateAsync(cancellationToken);
        this.RegisterGrainTimer(async () =>
        {
            try
            {
                var snapshot = await SnapshotCapture.ForSpecAsync(GrainFactory, spec.Scenario!);
                if (SignalOptimiser.Validate(spec, snapshot) is { Count: > 0 } errors) await FinishAsync(View with { Status = ScenarioStatus.Failed, Error = string.Join("; ", errors.Select(e => $"{e.Field}: {e.Message}")) });
                else Begin(spec, snapshot);
            }
            catch (Exception e)
            {
                await FinishAsync(View with { Status = ScenarioStatus.Failed, Error = $"interrupted, and its snapshot could not be captured again: {e.Message}" });
            }
        }, TimeSpan.Zero, Timeout.InfiniteTimeSpan);
    }

    public async Task<ScenarioStartResult> StartAsync(OptimiseSpec spec)
    {
        if (_state.State.View is not null) return new(ScenarioStartOutcome.Exists, []);
        var errors = SignalOptimiser.Validate(spec);
        if (errors.Count > 0) return new(ScenarioStartOutcome.Invalid, [.. errors]);
        if (spec.Scenario!.SnapshotId is { } snapshotId && !await SnapshotCapture.ExistsAsync(GrainFactory, snapshotId))
            return new(ScenarioStartOutcome.Invalid, [SnapshotCapture.Unknown("scenario.snapshotId")]);
        var snapshot = await SnapshotCapture.ForSpecAsync(GrainFactory, spec.Scenario);
        errors = SignalOptimiser.Validate(spec, snapshot);
        if (errors.Count > 0) return new(ScenarioStartOutcome.Invalid, [.. errors]);
        if (!_limiter.TryAdmit()) return new(ScenarioStartOutcome.QueueFull, []);

        _state.State.Spec = spec;
        _state.State.Attempt = 1;
        _state.State.View = new OptimisationView
        {
            Id = Id, Name = spec.Name, Status = ScenarioStatus.Queued, SubmittedAt = _time.GetUtcNow(), SnapshotAssets = snapshot.AssetCount,
        };
        await _limiter.KeepIfStoredAsync(_state.WriteStateAsync, () => (_state.State.View, _state.State.Spec) = (null, null));
        await GrainFactory.GetGrain<IScenarioIndexGrain>(IScenarioIndexGrain.OptimisationsKey).AddAsync(Id);
        _run = RunAsync(spec, snapshot, admitted: true);
        return new(ScenarioStartOutcome.Accepted, []);
    }

    private void Begin(OptimiseSpec spec, TwinSnapshot snapshot) => _run = RunAsync(spec, snapshot, admitted: false);

    private async Task RunAsync(OptimiseSpec spec, TwinSnapshot snapshot, bool admitted)
    {
        _cancel = new CancellationTokenSource();
        var token = _cancel.Token;
        OptimisationView final;
        try
        {
            using var slot = admitted ? await AcquireAsync(token) : await _limiter.EnterAsync(token);
            DelayDeactivation(TimeSpan.FromHours(1));
            _state.State.View = View with { Status = ScenarioStatus.Running, StartedAt = _time.GetUtcNow() };
            var watch = Stopwatch.StartNew();
            var progress = new Progress(p => Volatile.Write(ref _progress, p));
            var result = await Task.Run(() => SignalOptimiser.Optimise(spec, snapshot, progress, token), token);
            LogFinished(_logger, Id, result.Evaluations, result.DelaySavedSeconds, watch.Elapsed.TotalSeconds);
            final = View with { Status = ScenarioStatus.Completed, Progress = 1, Result = result };
        }
        catch (OperationCanceledException) when (token.IsCancellationRequested)
        {
            final = View with { Status = ScenarioStatus.Cancelled };
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, Id);
            final = View with { Status = ScenarioStatus.Failed, Error = e.Message };
        }
        await FinishAsync(final);
    }

    private async Task<IDisposable> AcquireAsync(CancellationToken token)
    {
        try
        {
            return await _limiter.AcquireAsync(token);
        }
        catch (OperationCanceledException)
        {
            _limiter.Leave();
            throw;
        }
    }

    private async Task FinishAsync(OptimisationView final)
    {
        _state.State.View = final with { FinishedAt = _time.GetUtcNow() };
        await _state.WriteStateAsync();
        DelayDeactivation(TimeSpan.Zero);
    }

    public Task<OptimisationView?> GetAsync() => Task.FromResult(_state.State.View is { } view
        ? view.Status == ScenarioStatus.Running ? view with { Progress = Volatile.Read(ref _progress) } : view
        : null);

    public async Task<OptimisationView?> CancelAsync()
    {
        if (_state.State.View is null) return null;
        if (_run is { IsCompleted: false } run)
        {
            await _cancel!.CancelAsync();
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5)));
        }
        return await GetAsync();
    }

    public Task<PlanChangeResult> ApplyAsync(string by)
    {
        if (_state.State.View is not { } view) return Task.FromResult(new PlanChangeResult(PlanChangeOutcome.NotFound, null, null));
        if (view is not { Status: ScenarioStatus.Completed, Result: { } result })
            return NotApplicable($"the optimisation is {view.Status.ToString().ToLowerInvariant()}: there are no plans to apply");
        if (view.Plans == "applied") return NotApplicable("its plans are applied already");
        var changes = result.Plans.Where(p => !p.Best.SameAs(p.Current)).Select(p => new IntersectionPlanChange(p.IntersectionId, p.Current, p.Best)).ToArray();
        if (changes.Length == 0) return NotApplicable("the best plans found are the current ones: there is nothing to apply");
        return ChangeAsync("apply", "applied", changes, by);
    }

    public Task<PlanChangeResult> RevertAsync(string by)
    {
        if (_state.State.View is not { } view) return Task.FromResult(new PlanChangeResult(PlanChangeOutcome.NotFound, null, null));
        if (view.Plans != "applied") return NotApplicable("its plans are not applied: there is nothing to revert");
        var applied = view.Changes.Last(c => c.Action == "apply");
        return ChangeAsync("revert", "reverted", [.. applied.Intersections.Select(c => new IntersectionPlanChange(c.IntersectionId, c.After, c.Before))], by);
    }

    private Task<PlanChangeResult> NotApplicable(string detail) => Task.FromResult(new PlanChangeResult(PlanChangeOutcome.NotApplicable, detail, View));

    /// <summary>Sets each intersection's plan from Before to After; on a conflict, sets back those already changed and changes nothing.</summary>
    private async Task<PlanChangeResult> ChangeAsync(string action, string plans, IntersectionPlanChange[] changes, string by)
    {
        var done = new List<IntersectionPlanChange>();
        foreach (var change in changes)
        {
            var result = await GrainFactory.GetGrain<IAssetGrain>(change.IntersectionId).SetSignalPlanAsync(change.After, change.Before);
            if (result.Outcome is UpsertOutcome.Updated or UpsertOutcome.Unchanged) { done.Add(change); continue; }
            foreach (var undo in done) await GrainFactory.GetGrain<IAssetGrain>(undo.IntersectionId).SetSignalPlanAsync(undo.Before, undo.After);
            var why = result.Outcome switch
            {
                UpsertOutcome.Conflict => $"{change.IntersectionId} no longer runs the plan expected (it changed since): nothing was changed",
                UpsertOutcome.NotFound => $"{change.IntersectionId} no longer exists: nothing was changed",
                _ => $"{change.IntersectionId}: {string.Join("; ", result.Errors.Select(e => e.Message))}; nothing was changed",
            };
            LogChangeRefused(_logger, Id, action, why);
            return new PlanChangeResult(PlanChangeOutcome.Conflict, why, View);
        }
        _state.State.View = View with
        {
            Plans = plans,
            Changes = [.. View.Changes, new PlanChange { Action = action, At = _time.GetUtcNow(), By = by, Intersections = changes }],
        };
        await _state.WriteStateAsync();
        return new PlanChangeResult(PlanChangeOutcome.Done, null, View);
    }

    private sealed class Progress(Action<double> report) : IProgress<ScenarioProgress>
    {
        public void Report(ScenarioProgress value) => report(Math.Clamp(value.Fraction, 0, 1));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Optimisation {OptimisationId} completed: {Evaluations} evaluations, {Saved:0.0} s/veh saved, in {Seconds:0.0} s")]
    private static partial void LogFinished(ILogger logger, string optimisationId, int evaluations, double saved, double seconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Optimisation {OptimisationId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string optimisationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Optimisation {OptimisationId}: {Action} refused: {Reason}")]
    private static partial void LogChangeRefused(ILogger logger, string optimisationId, string action, string reason);
}
