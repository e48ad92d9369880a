using System.Diagnostics;
using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;
using Orleans.Placement;

namespace CityTwin.Grains.Scenarios;

/// <summary>
/// Runs a sweep's runs on this silo: one snapshot fetched from the coordinator for all of them, each run simulated off
/// the grain scheduler in one of the silo's scenario slots (shared with single scenarios), each outcome reported until
/// the coordinator takes it. Nothing is stored: a run lost with its silo is handed to another one.
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: its runs in progress would be cancelled
public sealed partial class SweepWorkerGrain(ScenarioLimiter limiter, ILocalSiloDetails silo, ILogger<SweepWorkerGrain> logger) : Grain, ISweepWorkerGrain
{
    private readonly HashSet<int> _held = [];
    private readonly CancellationTokenSource _cancel = new();
    private Task<TwinSnapshot?>? _snapshot;
    private int _reporting; // reports awaiting the coordinator: the activation must outlive them to hear the answer

    public Task RunAsync(string sweepId, int epoch, SweepRun run)
    {
        if (_cancel.IsCancellationRequested || !_held.Add(run.Index)) return Task.CompletedTask;
        DelayDeactivation(TimeSpan.FromHours(1)); // while it holds work
        _ = ProcessAsync(GrainFactory.GetGrain<ISweepGrain>(sweepId), epoch, run);
        return Task.CompletedTask;
    }

    public Task<int[]> HoldingAsync() => Task.FromResult(_held.ToArray());

    public async Task CancelAsync()
    {
        await _cancel.CancelAsync();
        _held.Clear();
        _snapshot = null;
        if (_reporting == 0) DeactivateOnIdle();
    }

    /// <summary>Its silo is stopping: stop simulating at once (the coordinator hands the runs to a silo that stays).</summary>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => _cancel.CancelAsync();

    private async Task ProcessAsync(ISweepGrain sweep, int epoch, SweepRun run)
    {
        SweepRunOutcome outcome;
        try
        {
            var snapshot = await (_snapshot ??= sweep.GetSnapshotAsync(epoch));
            if (snapshot is null) { await CancelAsync(); return; } // the epoch is over: nobody wants these runs
            using var slot = await limiter.EnterAsync(_cancel.Token);
            var watch = Stopwatch.StartNew();
            var result = await Task.Run(() => ScenarioRunner.Run(run.Spec, snapshot, null, _cancel.Token), _cancel.Token);
            outcome = SweepRunOutcome.Of(run, result, silo.SiloAddress.ToString(), watch.Elapsed.TotalSeconds);
        }
        catch (OperationCanceledException) when (_cancel.IsCancellationRequested)
        {
            return;
        }
        catch (Exception e)
        {
            _snapshot = _snapshot is { IsFaulted: true } ? null : _snapshot; // a failed fetch is tried again by the next run
            LogRunFailed(logger, e, sweep.GetPrimaryKeyString(), run.Index);
            outcome = SweepRunOutcome.Failed(run, e.Message, silo.SiloAddress.ToString());
        }

        // Held until the coordinator has it: asked what this worker holds meanwhile, the run is not handed again.
        _reporting++;
        for (var attempt = 1; !_cancel.IsCancellationRequested; attempt++)
        {
            try
            {
                if (!await sweep.FinishedAsync(epoch, outcome)) await CancelAsync();
                break;
            }
            catch (Exception e) when (attempt < 5)
            {
                LogReportRetry(logger, e, sweep.GetPrimaryKeyString(), run.Index);
                await Task.Delay(TimeSpan.FromSeconds(attempt));
            }
            catch (Exception e)
            {
                LogReportRetry(logger, e, sweep.GetPrimaryKeyString(), run.Index);
                break; // the coordinator's check hands the run again
            }
        }
        _held.Remove(run.Index);
        if (--_reporting == 0 && _cancel.IsCancellationRequested) DeactivateOnIdle();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep {SweepId}: run {Index} failed")]
    private static partial void LogRunFailed(ILogger logger, Exception exception, string sweepId, int index);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sweep {SweepId}: reporting run {Index} failed; trying again")]
    private static partial void LogReportRetry(ILogger logger, Exception exception, string sweepId, int index);
}
