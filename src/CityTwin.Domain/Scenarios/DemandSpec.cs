namespace CityTwin.Domain.Scenarios;

/// <summary>
/// The trips a scenario simulates: seeded origin–destination pairs, mostly through traffic between fringe nodes — or,
/// with <see cref="FromTwin"/>, those pairs re-estimated to match the twin's counts (cameras and intersections' reported flows).
/// </summary>
[GenerateSerializer, Alias("DemandSpec")]
public sealed record DemandSpec
{
    /// <summary>Trips per hour per intersection (70 loads a 2-lane 50 km/h grid lightly: the benchmark's 7,200 trips on 10 × 10).</summary>
    [Id(0)] public double TripsPerHourPerIntersection { get; init; } = 15;
    /// <summary>Share of trips that cross the area from fringe to fringe; the rest start or end at an intersection.</summary>
    [Id(1)] public double FringeShare { get; init; } = 0.7;
    /// <summary>Estimate the trips from the twin's camera counts, the synthetic demand above as the prior.</summary>
    [Id(2)] public DemandFromTwin? FromTwin { get; init; }
    /// <summary>
    /// Every trip times this, baseline and variant alike, after any estimation from the twin: "tonight's demand, 20 %
    /// higher" (a sweep's <c>demand.scale</c>). A <c>demandFactor</c> perturbation changes the variant only.
    /// </summary>
    [Id(3)] public double Scale { get; init; } = 1;
}
