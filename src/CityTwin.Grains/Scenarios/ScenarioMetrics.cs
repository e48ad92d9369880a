using System.Diagnostics.Metrics;
using CityTwin.Contracts.Scenarios;
using CityTwin.Grains.Metrics;

namespace CityTwin.Grains.Scenarios;

/// <summary>What-if runs on the twin's meter: outcomes, durations, and the silo's queue.</summary>
public sealed class ScenarioMetrics
{
    private static readonly double[] DurationBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

    private readonly Counter<long> _runs;
    private readonly Histogram<double> _duration;

    public ScenarioMetrics(IMeterFactory meters, ScenarioLimiter limiter)
    {
        var meter = meters.Create(TwinMetrics.MeterName);
        _runs = meter.CreateCounter<long>("citytwin.scenario.runs", "{run}", "What-if runs finished, by outcome");
        _duration = meter.CreateHistogram("citytwin.scenario.duration", "s", "From a scenario's submission to its end",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        meter.CreateObservableGauge("citytwin.scenario.queue.depth", () => limiter.QueueDepth, "{run}", "Scenarios waiting for a slot on this silo");
        meter.CreateObservableGauge("citytwin.scenario.queue.capacity", () => limiter.MaxQueued, "{run}", "Scenarios that may wait on this silo");
    }

    public void Finished(ScenarioStatus outcome, TimeSpan duration)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome switch
        {
            ScenarioStatus.Completed => "completed",
            ScenarioStatus.Cancelled => "cancelled",
            _ => "failed",
        });
        _runs.Add(1, tag);
        _duration.Record(duration.TotalSeconds, tag);
    }
}
