using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Scenarios;

/// <summary>One intersection's plans: in force now, Webster's from the simulated flows, and the best found; its delay under the current and the best.</summary>
[GenerateSerializer, Alias("PlanChoice")]
public sealed record PlanChoice
{
    [Id(0)] public string IntersectionId { get; init; } = "";
    [Id(1)] public required SignalPlan Current { get; init; }
    [Id(2)] public required SignalPlan Webster { get; init; }
    [Id(3)] public required SignalPlan Best { get; init; }
    [Id(4)] public double CurrentDelaySeconds { get; init; }
    [Id(5)] public double BestDelaySeconds { get; init; }
    /// <summary>Vehicles per hour in, per approach (north, east, south, west), as simulated under the current plan.</summary>
    [Id(6)] public double[] ApproachFlowVehPerHour { get; init; } = new double[4];
}
