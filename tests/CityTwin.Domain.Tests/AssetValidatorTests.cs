namespace CityTwin.Domain.Tests;

public sealed class AssetValidatorTests
{
    private static ValidationError Single(Asset a) => Assert.Single(AssetValidator.Validate(a));

    [Fact]
    public void A_well_formed_asset_of_each_type_is_valid()
    {
        Assert.Empty(AssetValidator.Validate(Build.Pole()));
        Assert.Empty(AssetValidator.Validate(Build.Camera()));
        Assert.Empty(AssetValidator.Validate(Build.Intersection()));
        Assert.Empty(AssetValidator.Validate(Build.Link()));
    }

    [Theory]
    [InlineData(-0.1)]
    [InlineData(100.1)]
    [InlineData(double.NaN)]
    public void Dim_level_must_be_0_to_100(double dim)
    {
        var pole = Build.Pole();
        var error = Single(pole with { Pole = pole.Pole! with { DimLevel = dim } });
        Assert.Equal(new ValidationError("pole.dimLevel", "must be between 0 and 100"), error);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100)]
    public void Dim_level_bounds_are_inclusive(double dim)
    {
        var pole = Build.Pole();
        Assert.Empty(AssetValidator.Validate(pole with { Pole = pole.Pole! with { DimLevel = dim } }));
    }

    [Theory]
    [InlineData(180.0001, 0)]
    [InlineData(-181, 0)]
    [InlineData(0, 90.5)]
    [InlineData(0, -91)]
    [InlineData(double.NaN, 50)]
    [InlineData(4, double.PositiveInfinity)]
    public void Location_must_be_a_WGS84_point(double lon, double lat)
    {
        var error = Single(Build.Pole() with { Location = new GeoPoint(lon, lat) });
        Assert.Equal("location", error.Field);
    }

    [Theory]
    [InlineData("")]
    [InlineData("-pole")]
    [InlineData("pole 1")]
    [InlineData("pole/1")]
    [InlineData("pole-é")]
    [InlineData("pole-1\n")] // "$" in .NET regexes also matches before a final newline
    public void Ids_must_be_url_safe(string id)
    {
        Assert.Equal("id", Single(Build.Pole(id)).Field);
    }

    [Fact]
    public void Ids_are_at_most_64_characters()
    {
        Assert.Empty(AssetValidator.Validate(Build.Pole(new string('p', 64))));
        Assert.Equal("id", Single(Build.Pole(new string('p', 65))).Field);
        Assert.True(Ids.IsValid("leo-d01-1.a_b:c"));
    }

    [Fact]
    public void District_must_be_a_valid_id()
    {
        Assert.Equal("district", Single(Build.Pole() with { District = "" }).Field);
    }

    [Fact]
    public void Name_is_at_most_200_characters()
    {
        Assert.Empty(AssetValidator.Validate(Build.Pole() with { Name = new string('n', 200) }));
        Assert.Equal("name", Single(Build.Pole() with { Name = new string('n', 201) }).Field);
    }

    [Fact]
    public void An_asset_cannot_depend_on_itself()
    {
        var error = Single(Build.Camera() with { Dependencies = new AssetDependencies { WatchedIntersectionId = "cam-1" } });
        Assert.Equal(new ValidationError("dependencies.watchedIntersectionId", "an asset cannot depend on itself"), error);
    }

    [Fact]
    public void Dependencies_must_be_valid_ids()
    {
        var errors = AssetValidator.Validate(Build.Pole() with { Dependencies = new AssetDependencies { BackhaulLinkId = "leo 1", PowerFeederId = "" } });
        Assert.Equal(["dependencies.backhaulLinkId", "dependencies.powerFeederId"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Each_kind_of_dependency_belongs_to_its_asset_types()
    {
        Assert.Equal("dependencies.backhaulLinkId", Single(Build.Link() with { Dependencies = new AssetDependencies { BackhaulLinkId = "leo-2" } }).Field);
        Assert.Equal("dependencies.watchedIntersectionId", Single(Build.Pole() with { Dependencies = new AssetDependencies { WatchedIntersectionId = "int-1" } }).Field);
        Assert.Equal("dependencies.neighbours", Single(Build.Camera() with { Dependencies = new AssetDependencies { Neighbours = [new RoadLink { IntersectionId = "int-2" }] } }).Field);
    }

    [Fact]
    public void Road_links_have_a_length_lanes_and_speed_limit_in_range_and_no_repeats()
    {
        RoadLink Road(string to, double length = 200, int lanes = 2, double speed = 50) => new() { IntersectionId = to, LengthM = length, Lanes = lanes, SpeedLimitKmh = speed };
        var errors = AssetValidator.Validate(Build.Intersection() with
        {
            Dependencies = new AssetDependencies { Neighbours = [Road("int-2", length: 0), Road("int-3", lanes: 9), Road("int-4", speed: 200), Road("int-2")] },
        });
        Assert.Equal(["dependencies.neighbours", "dependencies.neighbours[0].lengthM", "dependencies.neighbours[1].lanes", "dependencies.neighbours[2].speedLimitKmh"],
            errors.Select(e => e.Field).Order());
        Assert.Contains(errors, e => e.Message == "lists an intersection twice");
    }

    [Fact]
    public void Attributes_of_another_type_are_refused()
    {
        var error = Single(Build.Pole() with { Camera = new CameraState() });
        Assert.Equal(new ValidationError("camera", "only a camera asset has 'camera' attributes"), error);
    }

    [Fact]
    public void Signal_greens_must_fit_in_the_cycle_after_lost_time()
    {
        var plan = SignalPlan.TwoPhase(90) with
        {
            Phases = [new SignalPhase { Name = "NS", Approaches = [Approach.North, Approach.South], GreenSeconds = 45 }, new SignalPhase { Name = "EW", Approaches = [Approach.East, Approach.West], GreenSeconds = 40 }],
        };
        var error = Single(Build.Intersection() with { Intersection = new IntersectionState { Plan = plan } });

        Assert.Equal("intersection.plan.phases", error.Field);
        Assert.Equal("green times add up to 85 s but the cycle leaves 82 s after lost time", error.Message);
    }

    [Fact]
    public void A_generated_two_phase_plan_fits_its_cycle()
    {
        foreach (var cycle in new[] { 60.0, 90, 120 })
            Assert.Empty(AssetValidator.Validate(Build.Intersection() with { Intersection = new IntersectionState { Plan = SignalPlan.TwoPhase(cycle) } }));
    }

    [Fact]
    public void Signal_phases_name_real_approaches_and_greens_stay_within_min_and_max()
    {
        var plan = SignalPlan.TwoPhase(90);
        plan = plan with { Phases = [plan.Phases[0] with { Approaches = [] }, plan.Phases[1] with { GreenSeconds = 5 }] };
        var errors = AssetValidator.Validate(Build.Intersection() with { Intersection = new IntersectionState { Plan = plan } });
        Assert.Equal(["intersection.plan.phases[0].approaches", "intersection.plan.phases[1].greenSeconds"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Per_approach_values_need_four_entries_in_range()
    {
        var errors = AssetValidator.Validate(Build.Intersection() with { Intersection = new IntersectionState { QueueLength = [1, 2, 3], DelaySeconds = [0, -1, 0, 0] } });
        Assert.Equal(["intersection.queueLength", "intersection.delaySeconds[1]"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Camera_values_are_checked()
    {
        var errors = AssetValidator.Validate(Build.Camera() with { Camera = new CameraState { Approach = (Approach)7, DetectionConfidence = 1.5, VehicleCount = -1 } });
        Assert.Equal(["camera.detectionConfidence", "camera.approach", "camera.vehicleCount"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Link_values_are_checked()
    {
        var errors = AssetValidator.Validate(Build.Link() with { Link = new LinkState { ElevationDeg = 95, PacketLossPct = 101, Handovers = -1, SatelliteId = "sat 1" } });
        Assert.Equal(["link.satelliteId", "link.elevationDeg", "link.packetLossPct", "link.handovers"], errors.Select(e => e.Field));
    }

    [Fact]
    public void Explicit_nulls_in_collections_are_reported_before_anything_else()
    {
        var errors = AssetValidator.Validate(Build.Intersection("bad id") with { Intersection = new IntersectionState { Plan = null! }, Dependencies = new AssetDependencies { Neighbours = null! } });
        Assert.Equal(["dependencies.neighbours", "intersection.plan", "intersection.plan.phases"], errors.Select(e => e.Field));
        Assert.All(errors, e => Assert.Equal("must not be null", e.Message));
    }

    [Fact]
    public void References_must_name_an_asset_of_the_right_type()
    {
        var camera = Build.Camera() with { Dependencies = new AssetDependencies { BackhaulLinkId = "leo-1", WatchedIntersectionId = "pole-9", PowerFeederId = "feeder-1" } };
        AssetType? TypeOf(string id) => id switch { "leo-1" => AssetType.Link, "pole-9" => AssetType.Pole, _ => null };

        var error = Assert.Single(AssetValidator.ValidateReferences(camera, TypeOf));
        Assert.Equal("dependencies.watchedIntersectionId", error.Field);
        Assert.Contains("'pole-9', a pole", error.Message);

        var unknown = Assert.Single(AssetValidator.ValidateReferences(camera, _ => null), e => e.Field == "dependencies.backhaulLinkId");
        Assert.Equal("refers to unknown asset 'leo-1'", unknown.Message);
    }
}
