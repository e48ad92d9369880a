using CityTwin.Api.Queries;
using CityTwin.Contracts.City;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Stats;

/// <summary>How often the stats history samples the city, and how far back it keeps (<c>Api:StatsHistory</c>).</summary>
public sealed class StatsHistoryOptions
{
    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(10);
    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
    public int Capacity => Math.Max(1, (int)Math.Ceiling(Window / Interval));
}

/// <summary>One sample: when it was taken and every district's last report then (shared with the read model, not copied).</summary>
public sealed record StatsSample(DateTimeOffset At, DistrictReport[] Districts);

/// <summary>
/// The last hour of the city's KPIs, per API process: every <see cref="StatsHistoryOptions.Interval"/> (10 s) the read
/// model's district reports are kept in a ring of <see cref="StatsHistoryOptions.Capacity"/> (360) samples, so a console
/// that opens draws an hour of sparklines at once. Kept as reports (not totals) so a scoped caller's history is
/// recomputed from its districts and types, as <c>/api/stats</c> does. Its clock is keyed (<see cref="ClockKey"/>), so
/// a test moves it without moving the API's other clocks.
/// </summary>
public sealed partial class StatsHistory(ReadModel readModel, IOptions<StatsHistoryOptions> options,
    [FromKeyedServices(StatsHistory.ClockKey)] TimeProvider time, ILogger<StatsHistory> logger) : BackgroundService
{
    public const string ClockKey = "stats-history";

    private readonly StatsSample?[] _ring = new StatsSample?[options.Value.Capacity];
    private readonly Lock _gate = new();
    private int _next;

    public StatsHistoryOptions Options => options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.Interval, time);
        do
        {
            var at = time.GetUtcNow();
            try
            {
                Record(new StatsSample(at, (await readModel.StatsAsync()).Districts));
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogFailed(logger, e.Message); // that point is missing; the next tick tries again
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    public void Record(StatsSample sample)
    {
        lock (_gate)
        {
            _ring[_next] = sample;
            _next = (_next + 1) % _ring.Length;
        }
    }

    /// <summary>The samples of the last window, oldest first.</summary>
    public IReadOnlyList<StatsSample> Samples()
    {
        var from = time.GetUtcNow() - options.Value.Window;
        var samples = new List<StatsSample>(_ring.Length);
        lock (_gate)
        {
            for (var i = 0; i < _ring.Length; i++)
            {
                if (_ring[(_next + i) % _ring.Length] is { } s && s.At > from) samples.Add(s);
            }
        }
        return samples;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Stats history: sampling the city failed: {Reason}")]
    private static partial void LogFailed(ILogger logger, string reason);
}
