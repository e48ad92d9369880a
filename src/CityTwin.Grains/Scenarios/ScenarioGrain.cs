using System.Diagnostics;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Placement;

namespace CityTwin.Grains.Scenarios;

/// <summary>
/// One what-if run. The snapshot is captured read-only when the scenario is submitted (so the spec's ids are checked
/// against it), the run waits for a slot of the silo's <see cref="ScenarioLimiter"/>, then simulates on the thread
/// pool while the grain keeps answering; only this grain's own state is ever written.
/// <para>
/// A run lives in memory. If its silo stops, the scenario is started again from its stored spec on whichever silo
/// activates it next (a reminder makes sure one does), on a snapshot of the live twin captured then, up to
/// <see cref="MaxAttempts"/> runs; its view says which attempt it is and why, and its progress starts again.
/// </para>
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: a run in progress would start again
public sealed partial class ScenarioGrain : Grain, IScenarioGrain, IRemindable
{
    public const int MaxAttempts = 3;

    private readonly IPersistentState<ScenarioGrainState> _state;
    private readonly TimeProvider _time;
    private readonly ScenarioLimiter _limiter;
    private readonly ScenarioMetrics _metrics;
    private readonly ScenarioOptions _options;
    private readonly ILogger<ScenarioGrain> _logger;
    private readonly ProgressSink _progress = new();
    private CancellationTokenSource? _cancel;
    private Task? _run;
    /// <summary>While the final state is being written: what readers still see (results count as available once stored).</summary>
    private ScenarioView? _shown;
    private bool _stopping; // deactivating: a run cancelled now is to be resumed, not recorded as cancelled
    private readonly ResumeReminder _resume; // held from submission until the run's outcome is stored

    public ScenarioGrain(
        [PersistentState("scenario", StorageNames.Assets)] IPersistentState<ScenarioGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        ScenarioLimiter limiter,
        ScenarioMetrics metrics,
        IOptions<ScenarioOptions> options,
        ILogger<ScenarioGrain> logger)
    {
        _state = state;
        _time = time;
        _limiter = limiter;
        _metrics = metrics;
        _options = options.Value;
        _logger = logger;
        _resume = new ResumeReminder(this, "resume");
    }

    private string Id => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        // A run that was queued or running when its silo went away did not finish: start it again from its spec.
        if (_state.State.View is not { Status: ScenarioStatus.Queued or ScenarioStatus.Running } view) return;
        if (_state.State.Spec is { } spec && view.Attempt < MaxAttempts)
        {
            _state.State.View = view with
            {
                Status = ScenarioStatus.Queued, Progress = 0, StartedAt = null, Attempt = view.Attempt + 1,
                Note = $"Started again at {_time.GetUtcNow():u} (attempt {view.Attempt + 1} of {MaxAttempts}): the silo running it stopped; " +
                       "it runs on a snapshot captured now, and its progress starts from 0.",
            };
            await _state.WriteStateAsync(cancellationToken);
            this.RegisterGrainTimer(() => RestartAsync(spec), TimeSpan.Zero, Timeout.InfiniteTimeSpan);
            return;
        }
        _state.State.View = view with { Status = ScenarioStatus.Failed, Error = "interrupted: the silo running it stopped", FinishedAt = _time.GetUtcNow() };
        await _state.WriteStateAsync(cancellationToken);
    }

    /// <summary>Captures the snapshot again and runs it, if the live twin still has what the spec names.</summary>
    private async Task RestartAsync(ScenarioSpec spec)
    {
        TwinSnapshot snapshot;
        List<ValidationError> errors;
        try
        {
            snapshot = await SnapshotCapture.ForSpecAsync(GrainFactory, spec);
            errors = ScenarioValidator.Validate(spec, snapshot);
        }
        catch (Exception e)
        {
            await FailAsync($"interrupted, and its snapshot could not be captured again: {e.Message}");
            return;
        }
        if (errors.Count > 0) await FailAsync($"interrupted, and the live twin no longer has what it names: {string.Join("; ", errors.Select(x => $"{x.Field}: {x.Message}"))}");
        else if (!_limiter.TryAdmit()) await FailAsync("interrupted, and every scenario slot and queue place is taken now");
        else
        {
            _cancel = new CancellationTokenSource();
            _run = RunAsync(spec, snapshot, _cancel.Token);
        }
    }

    private async Task FailAsync(string error)
    {
        _state.State.View = _state.State.View! with { Status = ScenarioStatus.Failed, Error = error, FinishedAt = _time.GetUtcNow() };
        await _state.WriteStateAsync();
        await _resume.EndAsync();
    }

    /// <summary>The reminder only wakes a scenario whose silo died: activation has restarted it; once finished, it stops.</summary>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (_state.State.View is not { Status: ScenarioStatus.Queued or ScenarioStatus.Running }) await _resume.EndAsync();
    }

    public async Task<ScenarioStartResult> StartAsync(ScenarioSpec spec)
    {
        if (_state.State.View is not null) return new(ScenarioStartOutcome.Exists, []);
        var errors = ScenarioValidator.Validate(spec);
        if (errors.Count > 0) return new(ScenarioStartOutcome.Invalid, [.. errors]);

        var watch = Stopwatch.StartNew();
        if (spec.SnapshotId is { } snapshotId && !await SnapshotCapture.ExistsAsync(GrainFactory, snapshotId))
            return new(ScenarioStartOutcome.Invalid, [SnapshotCapture.Unknown("snapshotId")]);
        var snapshot = await SnapshotCapture.ForSpecAsync(GrainFactory, spec);
        var captured = watch.Elapsed;

        errors = ScenarioValidator.Validate(spec, snapshot);
        if (errors.Count > 0) return new(ScenarioStartOutcome.Invalid, [.. errors]);
        if (!_limiter.TryAdmit()) return new(ScenarioStartOutcome.QueueFull, []);

        _state.State.Spec = spec;
        _state.State.View = new ScenarioView
        {
            Id = Id,
            Name = spec.Name,
            Status = ScenarioStatus.Queued,
            SubmittedAt = _time.GetUtcNow(),
            SnapshotAssets = snapshot.AssetCount,
            SnapshotSeconds = captured.TotalSeconds,
        };
        await _limiter.KeepIfStoredAsync(_state.WriteStateAsync, () => (_state.State.View, _state.State.Spec) = (null, null));
        await _resume.BeginAsync();
        _cancel = new CancellationTokenSource();
        _run = RunAsync(spec, snapshot, _cancel.Token);
        await GrainFactory.GetGrain<IScenarioIndexGrain>(IScenarioIndexGrain.Key).AddAsync(Id);
        LogSubmitted(_logger, Id, snapshot.AssetCount, captured.TotalMilliseconds);
        return new(ScenarioStartOutcome.Accepted, []);
    }

    private async Task RunAsync(ScenarioSpec spec, TwinSnapshot snapshot, CancellationToken cancellationToken)
    {
        var submitted = Stopwatch.StartNew();
        IDisposable? slot = null;
        ScenarioView final;
        try
        {
            try
            {
                slot = await _limiter.AcquireAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                _limiter.Leave();
                throw;
            }
            // Keep the activation while it works, and let the live twin's calls in between its turns.
            DelayDeactivation(TimeSpan.FromHours(1));
            _state.State.View = _state.State.View! with { Status = ScenarioStatus.Running, StartedAt = _time.GetUtcNow() };
            var result = await Task.Run(() => ScenarioRunner.Run(spec, snapshot, _progress, cancellationToken), cancellationToken);
            final = _state.State.View with { Status = ScenarioStatus.Completed, Progress = 1, Result = Bounded(result) };
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            final = _state.State.View! with { Status = ScenarioStatus.Cancelled, Progress = _progress.Fraction };
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, Id);
            final = _state.State.View! with { Status = ScenarioStatus.Failed, Error = e.Message, Progress = _progress.Fraction };
        }
        finally
        {
            slot?.Dispose();
        }

        if (_stopping && final.Status == ScenarioStatus.Cancelled) return; // resumed by the next activation
        final = final with { FinishedAt = _time.GetUtcNow() };
        _metrics.Finished(final.Status, submitted.Elapsed);
        LogFinished(_logger, Id, final.Status, submitted.Elapsed.TotalMilliseconds);
        // Readers keep seeing the running state until the final one is stored.
        _shown = _state.State.View! with { Progress = _progress.Fraction };
        _state.State.View = final;
        try
        {
            await _state.WriteStateAsync();
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, Id); // kept in memory: readers still see it while the activation lives
        }
        finally
        {
            _shown = null;
            DelayDeactivation(TimeSpan.Zero); // held while it ran; now idle collection may take it (a soak kept one an hour per run)
        }
        try
        {
            await _resume.EndAsync();
        }
        catch (Exception e)
        {
            LogFailed(_logger, e, Id); // it fires once more, sees the run finished and goes
        }
    }

    /// <summary>A stored result's size is bounded: the intersections whose delay changed most, and as many links.</summary>
    private ScenarioResult Bounded(ScenarioResult result)
    {
        var max = Math.Max(1, _options.MaxStoredIntersections);
        if (result.Intersections.Length <= max && result.Links.Length <= max) return result;
        return result with
        {
            Intersections = result.Intersections.OrderByDescending(i => Math.Abs(i.DelayDeltaSeconds)).ThenBy(i => i.Id, StringComparer.Ordinal).Take(max).ToArray(),
            Links = result.Links.Take(max).ToArray(),
        };
    }

    public Task<ScenarioView?> GetAsync(bool includeResult)
    {
        if ((_shown ?? _state.State.View) is not { } view) return Task.FromResult<ScenarioView?>(null);
        if (view.Status is ScenarioStatus.Running) view = view with { Progress = _progress.Fraction };
        return Task.FromResult<ScenarioView?>(includeResult ? view : view with
        {
            Result = null,
            Summary = view.Result is { } r ? r with { Districts = [], Intersections = [], Links = [] } : null,
        });
    }

    public async Task<ScenarioView?> CancelAsync()
    {
        if (_state.State.View is null) return null;
        if (_run is { IsCompleted: false } run)
        {
            await _cancel!.CancelAsync();
            await Task.WhenAny(run, Task.Delay(TimeSpan.FromSeconds(5)));
        }
        return await GetAsync(includeResult: false);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The silo is stopping (a run keeps its activation otherwise): stop the run but leave it queued or running in
        // storage, so that the next activation, on another silo, starts it again.
        _stopping = true;
        _cancel?.Cancel();
        if (_run is { } run) await run.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing | ConfigureAwaitOptions.ContinueOnCapturedContext);
    }

    /// <summary>Progress written from the simulating thread and read by the grain.</summary>
    private sealed class ProgressSink : IProgress<ScenarioProgress>
    {
        private double _fraction;
        public double Fraction => Volatile.Read(ref _fraction);
        public void Report(ScenarioProgress value) => Volatile.Write(ref _fraction, Math.Clamp(value.Fraction, 0, 1));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Scenario {ScenarioId} submitted on a snapshot of {Assets} assets captured in {Milliseconds} ms")]
    private static partial void LogSubmitted(ILogger logger, string scenarioId, int assets, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "Scenario {ScenarioId} {Status} after {Milliseconds} ms")]
    private static partial void LogFinished(ILogger logger, string scenarioId, ScenarioStatus status, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scenario {ScenarioId} failed")]
    private static partial void LogFailed(ILogger logger, Exception exception, string scenarioId);
}
