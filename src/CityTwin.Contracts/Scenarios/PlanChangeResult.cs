namespace CityTwin.Contracts.Scenarios;

/// <summary>What became of an apply or a revert.</summary>
[GenerateSerializer, Alias("PlanChangeResult")]
public sealed record PlanChangeResult(
    [property: Id(0)] PlanChangeOutcome Outcome,
    [property: Id(1)] string? Detail,
    [property: Id(2)] OptimisationView? View);

[GenerateSerializer, Alias("PlanChangeOutcome")]
public enum PlanChangeOutcome
{
    /// <summary>Every intersection now runs the plans asked for.</summary>
    Done,
    /// <summary>No optimisation has this id.</summary>
    NotFound,
    /// <summary>Not completed, nothing to apply (the best is the current), already applied, or not applied.</summary>
    NotApplicable,
    /// <summary>An intersection no longer runs the plan expected (changed meanwhile): nothing was changed.</summary>
    Conflict,
}
