namespace CityTwin.Grains.Scenarios;

/// <summary>How many what-if runs a silo takes on, bound from the "Scenarios" configuration section.</summary>
public sealed class ScenarioOptions
{
    public const string Section = "Scenarios";

    /// <summary>Runs simulating at once on one silo (each takes a core while it runs): live traffic keeps the rest.</summary>
    public int MaxConcurrent { get; set; } = 1;

    /// <summary>Runs waiting for a slot; beyond that a new scenario is refused (the API answers 503 with Retry-After).</summary>
    public int MaxQueued { get; set; } = 8;

    /// <summary>A stored result keeps at most this many intersections (the largest delay changes first) and links.</summary>
    public int MaxStoredIntersections { get; set; } = 2_000;
}
