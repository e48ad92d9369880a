using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Storage;
using Orleans.Placement;

namespace CityTwin.Grains.City;

/// <summary>
/// The registry of districts (changes are rare, so written through) and the holder of each district's latest report,
/// which <c>/api/stats</c> reads in one call. Reports are kept in memory only: an activation wakes every district it
/// knows, which then report within their report interval, so a restarted city is whole again before anyone would act
/// on it (after a restart nothing else activates a district until one of its assets is asked for).
/// </summary>
[Immovable(ImmovableKind.Rebalancer)] // the rebalancer leaves it: the districts' reports live in memory; a move would wake every district
public sealed partial class CityGrain(
    [PersistentState("city", StorageNames.Assets)] IPersistentState<CityGrainState> state,
    ILogger<CityGrain> logger) : Grain, ICityGrain
{
    /// <summary>Districts woken at once: each activation reads its whole state, and 400 at once ran PostgreSQL's pool dry.</summary>
    private const int WakeAtOnce = 8;

    private readonly Dictionary<string, DistrictReport> _reports = [];
    private CityStats? _stats; // built on first read after a report, then shared by every read
    private long _version;
    private HashSet<string> _asleep = []; // districts not yet woken since this activation
    private IGrainTimer? _waking;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _asleep = [.. state.State.Districts];
        // Interleaved, so that reports and reads of the stats go on while districts wake; a district whose activation
        // failed (storage busy or down) is tried again at the next tick.
        if (_asleep.Count > 0) _waking = this.RegisterGrainTimer(WakeAsync, new GrainTimerCreationOptions(TimeSpan.Zero, TimeSpan.FromSeconds(5)) { Interleave = true });
        return Task.CompletedTask;
    }

    private async Task WakeAsync(CancellationToken cancellationToken)
    {
        foreach (var batch in _asleep.ToArray().Chunk(WakeAtOnce))
        {
            await Task.WhenAll(batch.Select(async district =>
            {
                try
                {
                    await GrainFactory.GetGrain<IDistrictGrain>(district).WakeAsync();
                    _asleep.Remove(district);
                }
                catch (Exception e) when (e is not OperationCanceledException)
                {
                    LogWakeFailed(district, e.Message);
                }
            }));
            if (cancellationToken.IsCancellationRequested) return;
        }
        if (_asleep.Count == 0) _waking?.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "District {District} did not wake ({Reason}); trying again in 5 s")]
    private partial void LogWakeFailed(string district, string reason);

    public async Task AddDistrictAsync(string districtId)
    {
        if (state.State.Districts.Add(districtId)) await state.WriteStateAsync();
    }

    public Task<string[]> GetDistrictsAsync() => Task.FromResult(state.State.Districts.Order(StringComparer.Ordinal).ToArray());

    public Task ReportAsync(DistrictReport report)
    {
        if (_reports.TryGetValue(report.District, out var last) && last.At > report.At) return Task.CompletedTask; // late
        _reports[report.District] = report;
        _stats = null;
        _version++;
        return Task.CompletedTask;
    }

    public Task<CityStats?> GetStatsAsync(long unlessVersion) => Task.FromResult(unlessVersion == _version ? null : _stats ??= new CityStats(
        [.. _reports.Values.OrderBy(r => r.District, StringComparer.Ordinal)],
        _reports.Count == 0 ? null : _reports.Values.Max(r => r.At),
        _version));

    public async Task<bool> ClaimSeedingAsync()
    {
        if (state.State.SeedingClaimed || state.State.Districts.Count > 0) return false;
        state.State.SeedingClaimed = true;
        await state.WriteStateAsync();
        return true;
    }
}
