namespace CityTwin.Domain.Scenarios;

/// <summary>
/// How the demand estimated from the twin's counts fits them: per count — a camera's approach, or an intersection's
/// flow (approach <c>all</c>) — modelled against counted veh/h and GEH (below 5 is a good match), summed up over every
/// count, with the worst listed.
/// </summary>
[GenerateSerializer, Alias("DemandFit")]
public sealed record DemandFit
{
    [Id(0)] public int CamerasCounted { get; init; }
    /// <summary>Cameras with no count within the window (offline, or silent): their approaches keep the prior.</summary>
    [Id(1)] public int CamerasWithoutCount { get; init; }
    [Id(2)] public int CountedApproaches { get; init; }
    [Id(3)] public double ShareGehBelow5 { get; init; }
    [Id(4)] public double MeanGeh { get; init; }
    [Id(5)] public double MaxGeh { get; init; }
    [Id(6)] public double CountedVehPerHour { get; init; }
    [Id(7)] public double ModelledVehPerHour { get; init; }
    /// <summary>The synthetic demand the estimate started from, and the estimate, trips per hour.</summary>
    [Id(8)] public double PriorTripsPerHour { get; init; }
    [Id(9)] public double EstimatedTripsPerHour { get; init; }
    /// <summary>The fit of the prior itself, for comparison.</summary>
    [Id(10)] public double PriorShareGehBelow5 { get; init; }
    [Id(11)] public ApproachFit[] Worst { get; init; } = [];
    /// <summary>Intersections whose controller reported the flow entering them within the window: each one more count.</summary>
    [Id(12)] public int IntersectionsCounted { get; init; }
}

/// <summary>One count: an approach of an intersection (<c>all</c>: its controller's flow over every approach), counted and modelled veh/h, and their GEH.</summary>
[GenerateSerializer, Alias("ApproachFit")]
public sealed record ApproachFit(
    [property: Id(0)] string Intersection,
    [property: Id(1)] string Approach,
    [property: Id(2)] double Counted,
    [property: Id(3)] double Modelled,
    [property: Id(4)] double Geh);
