using System.Text.Json;
using CityTwin.Domain.Scenarios;
using CityTwin.Domain.Serialization;

namespace CityTwin.Domain.Tests.Scenarios;

/// <summary>A sweep's plan (values × seeds), its checks, and the bands it folds the runs' outcomes into.</summary>
public sealed class SweepTests
{
    private static SweepSpec Sweep(int seeds = 3, SweepRange? range = null, params Perturbation[] perturbations) =>
        new() { Name = "surge", Scenario = ScenarioFixture.Spec(perturbations), Seeds = seeds, Range = range };

    [Fact]
    public void A_range_steps_from_its_start_to_its_end_and_each_value_runs_every_seed()
    {
        var runs = SweepPlan.Expand(Sweep(3, new SweepRange { Parameter = "demand.scale", From = 1.0, To = 1.5, Step = 0.1 }));

        Assert.Equal(18, runs.Length);
        Assert.Equal([1.0, 1.1, 1.2, 1.3, 1.4, 1.5], runs.Select(r => r.Value!.Value).Distinct());
        Assert.Equal(Enumerable.Range(0, 18), runs.Select(r => r.Index));
        Assert.All(runs, r => Assert.Equal(r.Value, r.Spec.Demand.Scale));
        Assert.Equal([4, 5, 6], runs.Where(r => r.Value == 1.2).Select(r => r.Spec.Seed)); // the scenario's seed and the next
        Assert.Equal(runs.Length, runs.Select(r => r.Spec.Name).Distinct().Count());
    }

    [Fact]
    public void Without_a_range_a_sweep_is_the_scenario_over_its_seeds()
    {
        var runs = SweepPlan.Expand(Sweep(5));

        Assert.Equal(5, runs.Length);
        Assert.All(runs, r => Assert.Null(r.Value));
        Assert.Equal([4, 5, 6, 7, 8], runs.Select(r => r.Seed));
        Assert.All(runs, r => Assert.Equal(1, r.Spec.Demand.Scale));
    }

    [Fact]
    public void A_perturbations_factor_or_rain_is_stepped_in_the_variant_only()
    {
        var link = ScenarioFixture.Snapshot.Value.LinkIds[0];
        var spec = Sweep(1, new SweepRange { Parameter = "perturbations[1].rainRateMmPerHour", From = 5, To = 25, Step = 10 },
            new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 1.3 },
            new Perturbation { Kind = PerturbationKind.LinkDegraded, TargetId = link, RainRateMmPerHour = 1 });

        var runs = SweepPlan.Expand(spec);

        Assert.Equal([5.0, 15.0, 25.0], runs.Select(r => r.Spec.Perturbations[1].RainRateMmPerHour!.Value));
        Assert.All(runs, r => Assert.Equal(1.3, r.Spec.Perturbations[0].Factor));
        Assert.Equal(1, spec.Scenario!.Perturbations[1].RainRateMmPerHour); // the spec itself is left as it was
        Assert.Empty(SweepValidator.Validate(spec, ScenarioFixture.Snapshot.Value));
    }

    [Theory]
    [InlineData("{\"name\":\"x\",\"seeds\":3}", "scenario")]
    [InlineData("{\"name\":\"x\",\"seeds\":0,\"scenario\":{}}", "seeds")]
    [InlineData("{\"name\":\"x\",\"seeds\":2,\"scenario\":{\"horizonSeconds\":5}}", "scenario.snapshotId")]
    [InlineData("{\"name\":\"x\",\"seeds\":2,\"range\":{\"parameter\":\"demand.colour\",\"from\":1,\"to\":2,\"step\":0.5}}", "range.parameter")]
    [InlineData("{\"name\":\"x\",\"seeds\":2,\"range\":{\"parameter\":\"demand.scale\",\"from\":1,\"to\":2,\"step\":0}}", "range.step")]
    [InlineData("{\"name\":\"x\",\"seeds\":2,\"range\":{\"parameter\":\"demand.scale\",\"from\":2,\"to\":1,\"step\":0.1}}", "range.to")]
    [InlineData("{\"name\":\"x\",\"seeds\":100,\"range\":{\"parameter\":\"demand.scale\",\"from\":1,\"to\":2,\"step\":0.05}}", "range")]
    [InlineData("{\"name\":\"x\",\"seeds\":2,\"range\":{\"parameter\":\"demand.scale\",\"from\":1,\"to\":20,\"step\":1}}", "range")]
    [InlineData("{\"name\":\"x\",\"seeds\":2,\"range\":{\"parameter\":\"perturbations[0].factor\",\"from\":1,\"to\":2,\"step\":1}}", "range.parameter")]
    public void A_bad_sweep_is_refused_naming_the_field(string json, string field)
    {
        var spec = JsonSerializer.Deserialize<SweepSpec>(json, CityTwinJson.Options)!;
        if (spec.Scenario is null && field != "scenario") spec = spec with { Scenario = ScenarioFixture.Spec() };

        var errors = SweepValidator.Validate(spec);

        Assert.Contains(errors, e => e.Field == field);
    }

    [Fact]
    public void A_perturbation_the_scenario_lacks_or_of_another_kind_cannot_be_stepped()
    {
        var spec = Sweep(2, new SweepRange { Parameter = "perturbations[0].rainRateMmPerHour", From = 1, To = 2, Step = 1 },
            new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 1.3 });

        Assert.Contains(SweepValidator.Validate(spec), e => e.Field == "range.parameter" && e.Message.Contains("demandFactor"));
        Assert.Contains(SweepValidator.Validate(spec with { Range = spec.Range! with { Parameter = "perturbations[3].factor" } }),
            e => e.Field == "range.parameter" && e.Message.Contains("has 1"));
    }

    [Fact]
    public void Bands_are_the_mean_and_the_5th_and_95th_percentiles_and_the_delta_is_taken_run_by_run()
    {
        var spec = Sweep(21);
        var runs = SweepPlan.Expand(spec);
        // Baseline delay 100 + i, variant 100 + 2i: the delta is i; the 5th percentile of 0..20 is 1, the 95th 19.
        var outcomes = runs.Select(r => SweepRunOutcome.Of(r, Result(100 + r.Index, 100 + 2 * r.Index), "silo-a", 0.1)).Reverse().ToArray();

        var result = SweepAggregation.Aggregate(spec, runs, outcomes);

        var delay = Assert.Single(result.Points).Kpis.Single(k => k.Kpi == "meanDelaySeconds");
        Assert.Equal(new Band(110, 101, 119, 100, 120), delay.Baseline);
        Assert.Equal(new Band(10, 1, 19, 0, 20), delay.Delta);
        Assert.Equal(120, delay.Variant.Mean);
        Assert.Equal((21, 21, 0), (result.Runs, result.Completed, result.Failed));
        Assert.Equal(["a note every run gave"], result.Notes);
    }

    [Fact]
    public void A_partial_sweep_bands_what_finished_and_counts_the_failed_apart()
    {
        var spec = Sweep(4, new SweepRange { Parameter = "demand.scale", From = 1, To = 2, Step = 1 });
        var runs = SweepPlan.Expand(spec);
        SweepRunOutcome[] outcomes =
        [
            SweepRunOutcome.Of(runs[0], Result(10, 12), "a", 1),
            SweepRunOutcome.Failed(runs[1], "boom", "a"),
            SweepRunOutcome.Of(runs[4], Result(20, 30), "b", 1),
        ];

        var result = SweepAggregation.Aggregate(spec, runs, outcomes);

        Assert.Equal((8, 2, 1), (result.Runs, result.Completed, result.Failed));
        Assert.Equal([(1.0, 4, 1, 1), (2.0, 4, 1, 0)], result.Points.Select(p => (p.Value!.Value, p.Runs, p.Completed, p.Failed)));
        Assert.Equal(10, result.Points[1].Kpis.Single(k => k.Kpi == "meanDelaySeconds").Delta.Mean);
    }

    [Fact]
    public void Demand_scale_multiplies_the_trips_of_baseline_and_variant_alike()
    {
        var spec = ScenarioFixture.Spec();
        var one = ScenarioRunner.Run(spec, ScenarioFixture.Snapshot.Value);
        var more = ScenarioRunner.Run(spec with { Demand = spec.Demand with { Scale = 1.5 } }, ScenarioFixture.Snapshot.Value);

        Assert.InRange(more.BaselineTripsCompleted / one.BaselineTripsCompleted, 1.3, 1.7);
        Assert.Equal(more.BaselineTripsCompleted, more.VariantTripsCompleted); // no perturbation: the variant is the baseline
        Assert.Contains(ScenarioValidator.Validate(spec with { Demand = spec.Demand with { Scale = -1 } }), e => e.Field == "demand.scale");
    }

    private static ScenarioResult Result(double baselineDelay, double variantDelay)
    {
        var empty = new KpiSeries();
        KpiTotals Totals(double delay) => new() { MeanDelaySeconds = delay, Throughput = 1_000 };
        return new ScenarioResult
        {
            City = new AreaResult { Id = "city", Baseline = empty, Variant = empty, BaselineTotals = Totals(baselineDelay), VariantTotals = Totals(variantDelay),
                Delta = Totals(variantDelay).Minus(Totals(baselineDelay)) },
            Notes = ["a note every run gave"],
        };
    }
}
