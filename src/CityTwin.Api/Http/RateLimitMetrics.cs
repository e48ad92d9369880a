using System.Diagnostics.Metrics;

namespace CityTwin.Api.Http;

/// <summary>Requests the rate limits refused, on the twin's meter (<c>CityTwin</c>), by budget — never by caller.</summary>
public sealed class RateLimitMetrics : IDisposable
{
    private readonly Meter _meter;
    private readonly Counter<long> _rejected;

    public RateLimitMetrics(IMeterFactory meters)
    {
        _meter = meters.Create("CityTwin");
        _rejected = _meter.CreateCounter<long>("citytwin.http.rate_limited", "{request}",
            "Requests the API refused with 429 because the caller's budget was spent, by budget (reads, commands, ingest, scenarios, feed)");
    }

    public void Rejected(RateLimitBudget budget) =>
        _rejected.Add(1, new KeyValuePair<string, object?>("budget", budget switch
        {
            RateLimitBudget.Reads => "reads",
            RateLimitBudget.Commands => "commands",
            RateLimitBudget.Ingest => "ingest",
            RateLimitBudget.Scenarios => "scenarios",
            _ => "feed",
        }));

    public void Dispose() => _meter.Dispose();
}
