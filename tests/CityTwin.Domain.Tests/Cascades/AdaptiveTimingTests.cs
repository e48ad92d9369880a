using CityTwin.Domain.Cascades;

namespace CityTwin.Domain.Tests.Cascades;

public sealed class AdaptiveTimingTests
{
    [Fact]
    public void Greens_are_shared_in_proportion_to_the_critical_flow_ratios_within_a_fixed_cycle()
    {
        var plan = SignalPlan.TwoPhase(cycleSeconds: 90, lostTimePerPhase: 4);
        // NS critical: max(900, 300) = 900 veh/h; EW critical: 450 veh/h. y = 0.25 and 0.125 → 2 : 1 of 82 s.
        var retimed = AdaptiveTiming.Retime(plan, [900, 450, 300, 0]);
        Assert.Equal(54.7, retimed.Phases[0].GreenSeconds);
        Assert.Equal(27.3, retimed.Phases[1].GreenSeconds);
        Assert.Equal(90, retimed.CycleSeconds);
    }

    [Fact]
    public void A_phase_never_gets_less_than_its_minimum_green()
    {
        var plan = SignalPlan.TwoPhase(90, 4);
        var retimed = AdaptiveTiming.Retime(plan, [1_800, 1, 0, 0]);
        Assert.Equal(7, retimed.Phases[1].GreenSeconds);
        Assert.Equal(75, retimed.Phases[0].GreenSeconds); // the rest of the 82 s
    }

    [Fact]
    public void No_demand_keeps_the_plan()
    {
        var plan = SignalPlan.TwoPhase();
        Assert.Same(plan, AdaptiveTiming.Retime(plan, [0, 0, 0, 0]));
    }

    [Fact]
    public void Degree_of_saturation_is_the_busiest_critical_movement_over_its_capacity()
    {
        var plan = SignalPlan.TwoPhase(90, 4); // 41 s green each
        // NS: 1,200 veh/h over 3,600 × 41/90 = 1,640 veh/h → 0.732
        Assert.Equal(1_200 / (3_600 * 41 / 90.0), AdaptiveTiming.DegreeOfSaturation(plan, [1_200, 200, 0, 0], ControlMode.FixedTime), 9);
        // An all-way stop passes a vehicle every 5 s: 1,400 veh/h over 720.
        Assert.Equal(1_400 / 720.0, AdaptiveTiming.DegreeOfSaturation(plan, [1_200, 200, 0, 0], ControlMode.Dark), 9);
    }

    [Fact]
    public void Flows_come_from_online_cameras_per_minute_counts()
    {
        var flows = AdaptiveTiming.Flows([
            new CameraFeed { CameraId = "a", Approach = Approach.North, VehicleCount = 10 },
            new CameraFeed { CameraId = "b", Approach = Approach.North, VehicleCount = 5 },
            new CameraFeed { CameraId = "c", Approach = Approach.East, VehicleCount = 50, Online = false },
        ]);
        Assert.Equal([900, 0, 0, 0], flows);
    }
}
