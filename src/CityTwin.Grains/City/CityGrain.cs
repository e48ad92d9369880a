using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Storage;

namespace CityTwin.Grains.City;

/// <summary>
/// The registry of districts (changes are rare, so written through) and the holder of each district's latest report,
/// which <c>/api/stats</c> reads in one call. Reports are kept in memory only: an activation wakes every district it
/// knows, which report within their report interval, so a restarted city is whole again before anyone would act on it
/// (after a restart nothing else activates a district until an asset of it is asked for).
/// </summary>
public sealed class CityGrain(
    [PersistentState("city", StorageNames.Assets)] IPersistentState<CityGrainState> state) : Grain, ICityGrain
{
    private readonly Dictionary<string, DistrictReport> _reports = [];
    private CityStats? _stats; // built on first read after a report, then shared by every read
    private long _version;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        foreach (var district in state.State.Districts) GrainFactory.GetGrain<IDistrictGrain>(district).WakeAsync().Ignore(); // one-way
        return Task.CompletedTask;
    }

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
