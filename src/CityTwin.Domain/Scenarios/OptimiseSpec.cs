namespace CityTwin.Domain.Scenarios;

/// <summary>
/// A search for better fixed-time plans (cycle and green splits) at chosen intersections, under a scenario's demand:
/// Webster's settings from the simulated flows as the start, the simulator as the judge.
/// </summary>
[GenerateSerializer, Alias("OptimiseSpec")]
public sealed record OptimiseSpec
{
    public const int MaxIntersections = 64;
    public const int MaxEvaluationsLimit = 500;

    [Id(0)] public string Name { get; init; } = "";
    /// <summary>The conditions plans are tuned for: snapshot, start, horizon, demand (scale it for a surge) and seed; no perturbations.</summary>
    [Id(1)] public ScenarioSpec? Scenario { get; init; }
    /// <summary>The intersections whose plans are searched (each keeps its phases; their greens and the cycle change).</summary>
    [Id(2)] public string[] IntersectionIds { get; init; } = [];
    /// <summary>Simulations the search may spend, Webster's start and the final checks on other seeds not counted.</summary>
    [Id(3)] public int MaxEvaluations { get; init; } = 60;
}
