using CityTwin.Domain.Lighting;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Domain.Tests.Scenarios;

public sealed class ScenarioValidatorTests
{
    private static List<ValidationError> Errors(ScenarioSpec spec) => ScenarioValidator.Validate(spec, ScenarioFixture.Snapshot.Value);

    [Fact]
    public void A_good_spec_has_no_errors()
    {
        var link = ScenarioFixture.Of(AssetType.Link).First().Id;
        var spec = ScenarioFixture.Spec(
            new Perturbation { Kind = PerturbationKind.LinkDown, AtSeconds = 60, DurationSeconds = 600, TargetId = link },
            new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 1.3 },
            new Perturbation { Kind = PerturbationKind.LightingPolicy, Lighting = DimmingProfile.Typical, District = ScenarioFixture.Snapshot.Value.Districts[0] });
        Assert.Empty(Errors(spec));
    }

    [Theory]
    [InlineData("an hour", "must be an ISO 8601 duration such as PT1H")]
    [InlineData("PT10S", "must be between PT1M and P1D")]
    [InlineData("P2D", "must be between PT1M and P1D")]
    public void Demand_from_the_twin_needs_a_window_it_can_read(string window, string message)
    {
        var spec = ScenarioFixture.Spec();
        spec = spec with { Demand = spec.Demand with { FromTwin = new DemandFromTwin { Window = window } } };
        Assert.Contains(new ValidationError("demand.fromTwin.window", message), Errors(spec));
        Assert.Empty(Errors(spec with { Demand = spec.Demand with { FromTwin = new DemandFromTwin { Window = "PT1H" } } }));
    }

    [Fact]
    public void The_twin_must_be_named_once()
    {
        Assert.Contains(new ValidationError("snapshotId", "give a snapshotId or the assets"), Errors(ScenarioFixture.Spec() with { SnapshotId = null }));
        Assert.Contains(new ValidationError("snapshotId", "give a snapshotId or the assets, not both"),
            Errors(ScenarioFixture.Spec() with { Assets = [.. ScenarioFixture.City.Value.Assets] }));
        Assert.Contains(new ValidationError("assets", "must hold at least one asset"), Errors(ScenarioFixture.Spec() with { SnapshotId = null, Assets = [] }));
        var bad = ScenarioValidator.Validate(ScenarioFixture.Spec() with { SnapshotId = null, Assets = [Build.Pole() with { Id = "" }] });
        Assert.Contains(bad, e => e.Field == "assets[0].id");
    }

    [Fact]
    public void Numbers_out_of_range_are_reported_by_field()
    {
        var errors = Errors(ScenarioFixture.Spec() with
        {
            HorizonSeconds = 10, IntervalSeconds = 5, WarmUpSeconds = -1, UtcOffsetMinutes = 2_000,
            Demand = new DemandSpec { TripsPerHourPerIntersection = -3, FringeShare = 2 },
        });
        Assert.Equal(["horizonSeconds", "intervalSeconds", "warmUpSeconds", "utcOffsetMinutes", "demand.tripsPerHourPerIntersection", "demand.fringeShare"],
            errors.Select(e => e.Field));
    }

    [Fact]
    public void Each_perturbation_needs_its_fields_and_known_targets_of_the_right_type()
    {
        var camera = ScenarioFixture.Of(AssetType.Camera).First().Id;
        var errors = Errors(ScenarioFixture.Spec(
            new Perturbation { Kind = PerturbationKind.LinkDown },
            new Perturbation { Kind = PerturbationKind.LinkDown, TargetId = camera },
            new Perturbation { Kind = PerturbationKind.LinkDegraded, TargetId = ScenarioFixture.Of(AssetType.Link).First().Id, RainRateMmPerHour = 900 },
            new Perturbation { Kind = PerturbationKind.FeederOutage, TargetId = "feeder-nowhere" },
            new Perturbation { Kind = PerturbationKind.DistrictOutage },
            new Perturbation { Kind = PerturbationKind.ControllerFault, TargetId = "int-9999", AtSeconds = 5_000 },
            new Perturbation { Kind = PerturbationKind.CameraFailure, TargetIds = [camera, "cam-missing"] },
            new Perturbation { Kind = PerturbationKind.DemandFactor, Factor = 20, District = "d99" },
            new Perturbation { Kind = PerturbationKind.SignalPlanChange, TargetIds = [ScenarioFixture.Of(AssetType.Intersection).First().Id], Plan = new SignalPlan { CycleSeconds = 10 } },
            new Perturbation { Kind = PerturbationKind.LightingPolicy, Lighting = new DimmingProfile { DuskLevelPercent = 140, Steps = [new(30, 50)] } },
            new Perturbation { Kind = (PerturbationKind)42 },
            new Perturbation { Kind = PerturbationKind.ControllerFault, TargetId = ScenarioFixture.Of(AssetType.Intersection).First().Id, DurationSeconds = 0 }));

        Assert.Equal(
        [
            new("perturbations[0].targetId", "is required for linkDown: the LEO link"),
            new("perturbations[1].targetId", $"refers to unknown link '{camera}'"),
            new("perturbations[2].rainRateMmPerHour", "must be between 0.1 and 300"),
            new("perturbations[3].targetId", "refers to unknown feeder 'feeder-nowhere'"),
            new("perturbations[4].district", "is required for districtOutage: the district"),
            new("perturbations[5].atSeconds", "must be between 0 and 1799"),
            new("perturbations[5].targetId", "refers to unknown intersection 'int-9999'"),
            new("perturbations[6].targetIds[1]", "refers to unknown camera 'cam-missing'"),
            new("perturbations[7].factor", "must be between 0 and 10"),
            new("perturbations[7].district", "refers to unknown district 'd99'"),
            new("perturbations[8].plan.cycleSeconds", "must be between 30 and 240"),
            new("perturbations[8].plan.phases", "must have 1–8 phases"),
            new("perturbations[9].lighting.duskLevelPercent", "must be between 0 and 100"),
            new("perturbations[9].lighting.steps[0].atHour", "must be between 0 and 24"),
            new("perturbations[10].kind", "is not a known kind of perturbation"),
            new("perturbations[11].durationSeconds", "must be at least 1 when given"),
        ], errors);
    }

    [Fact]
    public void The_runner_refuses_an_invalid_spec()
    {
        var spec = ScenarioFixture.Spec(new Perturbation { Kind = PerturbationKind.ControllerFault, TargetId = "int-9999" });
        var e = Assert.Throws<ArgumentException>(() => ScenarioRunner.Run(spec, ScenarioFixture.Snapshot.Value));
        Assert.Contains("perturbations[0].targetId refers to unknown intersection 'int-9999'", e.Message);
    }
}
