namespace CityTwin.Domain.Scenarios;

/// <summary>
/// What an optimisation found: the chosen intersections' mean delay (per vehicle crossing, weighted by throughput)
/// under the current plans, Webster's and the best, the time lost per trip in the area, each intersection's plans,
/// and the saving checked again on seeds the search never saw.
/// </summary>
[GenerateSerializer, Alias("OptimiseResult")]
public sealed record OptimiseResult
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public int Evaluations { get; init; }
    [Id(2)] public double CurrentDelaySeconds { get; init; }
    [Id(3)] public double WebsterDelaySeconds { get; init; }
    [Id(4)] public double BestDelaySeconds { get; init; }
    /// <summary>Current minus best, seconds per vehicle, and as a share of the current.</summary>
    [Id(5)] public double DelaySavedSeconds { get; init; }
    [Id(6)] public double DelaySavedShare { get; init; }
    [Id(7)] public double CurrentTimeLossSeconds { get; init; }
    [Id(8)] public double BestTimeLossSeconds { get; init; }
    [Id(9)] public PlanChoice[] Plans { get; init; } = [];
    /// <summary>The delay saved on each of a few other seeds (current minus best): a plan tuned to one sample of demand must hold on others.</summary>
    [Id(10)] public double[] CheckSeedsDelaySavedSeconds { get; init; } = [];
    [Id(11)] public string[] Notes { get; init; } = [];
}
