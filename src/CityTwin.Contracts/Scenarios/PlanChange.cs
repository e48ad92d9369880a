using CityTwin.Domain.Assets;

namespace CityTwin.Contracts.Scenarios;

/// <summary>One apply or revert of an optimisation's plans: when, by whom, and each intersection's plan before and after.</summary>
[GenerateSerializer, Alias("PlanChange")]
public sealed record PlanChange
{
    [Id(0)] public string Action { get; init; } = "";
    [Id(1)] public DateTimeOffset At { get; init; }
    [Id(2)] public string By { get; init; } = "";
    [Id(3)] public IntersectionPlanChange[] Intersections { get; init; } = [];
}

[GenerateSerializer, Alias("IntersectionPlanChange")]
public sealed record IntersectionPlanChange(
    [property: Id(0)] string IntersectionId,
    [property: Id(1)] SignalPlan Before,
    [property: Id(2)] SignalPlan After);
