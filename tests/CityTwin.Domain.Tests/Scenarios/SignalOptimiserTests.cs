using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Tests.Scenarios;

/// <summary>The plan search: Webster as the start, the simulator as the judge, never worse than the plans in force.</summary>
public sealed class SignalOptimiserTests
{
    /// <summary>The fixture city with every junction on fixed time (the plan is what runs), some with the given plan.</summary>
    private static (TwinSnapshot Snapshot, string[] Targets) City(SignalPlan? plan = null)
    {
        var targets = ScenarioFixture.Of(AssetType.Intersection).Take(4).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        var assets = ScenarioFixture.City.Value.Assets.Select(a => a.Intersection is { } i
            ? a with { Intersection = i with { Mode = ControlMode.FixedTime, Plan = plan is not null && targets.Contains(a.Id) ? plan : i.Plan } }
            : a).ToArray();
        return (TwinSnapshot.FromAssets(assets), [.. targets.Order(StringComparer.Ordinal)]);
    }

    private static OptimiseSpec Spec(string[] targets, int evaluations = 24) => new()
    {
        Name = "corridor",
        Scenario = ScenarioFixture.Spec() with { SnapshotId = "corridor", Demand = new DemandSpec { TripsPerHourPerIntersection = 60 } },
        IntersectionIds = targets,
        MaxEvaluations = evaluations,
    };

    [Fact]
    public void A_lopsided_plan_is_retimed_and_the_saving_holds_on_seeds_the_search_never_saw()
    {
        // 15 s of green for north–south, 67 s for east–west, whatever the demand.
        var lopsided = SignalPlan.TwoPhase() with { Phases = [.. SignalPlan.TwoPhase().Phases.Select((p, k) => p with { GreenSeconds = k == 0 ? 15 : 67 })] };
        var (snapshot, targets) = City(lopsided);

        var result = SignalOptimiser.Optimise(Spec(targets), snapshot);

        Assert.True(result.DelaySavedShare > 0.15, $"saved {result.DelaySavedShare:P0}: {result.CurrentDelaySeconds:0.0} → {result.BestDelaySeconds:0.0} s");
        Assert.True(result.WebsterDelaySeconds < result.CurrentDelaySeconds); // Webster alone already helps
        Assert.True(result.BestDelaySeconds <= result.WebsterDelaySeconds);
        Assert.All(result.CheckSeedsDelaySavedSeconds, saved => Assert.True(saved > 0, $"{saved:0.0} s"));
        Assert.Equal(SignalOptimiser.CheckSeeds, result.CheckSeedsDelaySavedSeconds.Length);
        Assert.InRange(result.Evaluations, 2, 24);
        foreach (var choice in result.Plans)
        {
            var errors = new List<ValidationError>();
            SignalPlanValidator.Validate(choice.Best, errors, "plan");
            Assert.Empty(errors);
            Assert.Equal(lopsided, choice.Current);
        }
        Assert.Contains(result.Plans, p => p.Best.Phases[0].GreenSeconds != 15);
    }

    [Fact]
    public void The_best_is_never_worse_than_the_current_plans_and_the_search_is_deterministic()
    {
        var (snapshot, targets) = City();

        var a = SignalOptimiser.Optimise(Spec(targets, 12), snapshot);
        var b = SignalOptimiser.Optimise(Spec(targets, 12), snapshot);

        Assert.True(a.BestDelaySeconds <= a.CurrentDelaySeconds);
        Assert.Equal(System.Text.Json.JsonSerializer.Serialize(a), System.Text.Json.JsonSerializer.Serialize(b));
        Assert.All(a.Plans, p => Assert.Equal(4, p.ApproachFlowVehPerHour.Length));
    }

    [Fact]
    public void A_spec_is_refused_naming_unknown_repeated_or_one_phase_intersections_and_perturbations()
    {
        var (snapshot, targets) = City();
        var spec = Spec([targets[0], targets[0], "int-nope"]) with
        {
            Scenario = Spec(targets).Scenario! with { Perturbations = [new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 1.2 }] },
            MaxEvaluations = 0,
        };

        var fields = SignalOptimiser.Validate(spec, snapshot).Select(e => e.Field).ToArray();

        Assert.Contains("intersectionIds", fields);
        Assert.Contains("intersectionIds[2]", fields);
        Assert.Contains("scenario.perturbations", fields);
        Assert.Contains("maxEvaluations", fields);
        Assert.Contains("intersectionIds", SignalOptimiser.Validate(Spec([]), snapshot).Select(e => e.Field));
    }
}
