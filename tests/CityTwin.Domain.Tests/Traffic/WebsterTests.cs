using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

public sealed class WebsterTests
{
    [Fact]
    public void Two_phases_match_the_formula_worked_by_hand()
    {
        // q = 600 and 450 veh/h, s = 1,800 veh/h: y = 1/3 and 1/4, Y = 7/12; L = 2 × 4 s = 8 s.
        // C₀ = (1.5 × 8 + 5) / (1 − 7/12) = 17 / (5/12) = 40.8 s; C₀ − L = 32.8 s;
        // g₁ = (1/3)/(7/12) × 32.8 = 4/7 × 32.8 = 18.742857 s, g₂ = 3/7 × 32.8 = 14.057143 s.
        var timing = Webster.Timing([600, 450], [1_800, 1_800], lostTimePerPhaseSeconds: 4);

        Assert.Equal(7.0 / 12, timing.FlowRatioSum, 12);
        Assert.Equal(40.8, timing.OptimalCycleSeconds, 9);
        Assert.Equal(40.8, timing.CycleSeconds, 9);
        Assert.Equal(18.742857142857, timing.GreenSeconds[0], 9);
        Assert.Equal(14.057142857143, timing.GreenSeconds[1], 9);
        Assert.False(timing.NearSaturation);
    }

    [Fact]
    public void Three_phases_with_a_textbook_load()
    {
        // y = 0.25, 0.2, 0.15 → Y = 0.6; L = 3 × 5 = 15 s: C₀ = (22.5 + 5) / 0.4 = 68.75 s; C₀ − L = 53.75 s
        // shared 5/12, 4/12, 3/12: 22.395833, 17.916667, 13.4375 s.
        var greens = Webster.GreenTimes([450, 360, 270], [1_800, 1_800, 1_800], 5);
        Assert.Equal([22.395833333, 17.916666667, 13.4375], greens.Select(g => Math.Round(g, 9)));
    }

    [Fact]
    public void Near_saturation_the_cycle_stops_at_the_maximum()
    {
        // Y = 0.95: C₀ = 17 / 0.05 = 340 s, far beyond the 120 s cap; greens share 112 s as 0.5 : 0.45.
        var timing = Webster.Timing([900, 810], [1_800, 1_800], 4);
        Assert.Equal(340, timing.OptimalCycleSeconds, 9);
        Assert.Equal(120, timing.CycleSeconds);
        Assert.True(timing.NearSaturation);
        Assert.Equal(112 * 0.5 / 0.95, timing.GreenSeconds[0], 9);
        Assert.Equal(112 * 0.45 / 0.95, timing.GreenSeconds[1], 9);

        Assert.Equal(double.PositiveInfinity, Webster.OptimalCycle(8, 1.1));
        Assert.Equal(120, Webster.Timing([1_800, 900], [1_800, 1_800], 4).CycleSeconds);
    }

    [Fact]
    public void A_light_phase_is_held_at_its_minimum_green_and_the_rest_goes_to_the_others()
    {
        // y = 0.5 and 0.01: C₀ = 17 / 0.49 = 34.69 s, C₀ − L = 26.69 s; the light phase would get 0.52 s, is held
        // at 7 s, and the heavy one takes the remaining 19.69 s.
        var timing = Webster.Timing([900, 18], [1_800, 1_800], 4);
        Assert.Equal(17 / 0.49, timing.CycleSeconds, 9);
        Assert.Equal(7, timing.GreenSeconds[1]);
        Assert.Equal(17 / 0.49 - 8 - 7, timing.GreenSeconds[0], 9);
    }

    [Fact]
    public void Without_flow_the_cycle_is_the_shortest_that_fits_the_minimum_greens()
    {
        var timing = Webster.Timing([0, 0], [1_800, 1_800], 4, minCycleSeconds: 0);
        // C₀ = 17 s is shorter than L + 2 × 7 s = 22 s.
        Assert.Equal(22, timing.CycleSeconds);
        Assert.Equal([7.0, 7.0], timing.GreenSeconds);
        // By default no shorter than the 30 s a plan may have; the extra green is shared evenly.
        Assert.Equal([11.0, 11.0], Webster.GreenTimes([0, 0], [1_800, 1_800], 4));
    }

    [Fact]
    public void Retime_uses_the_critical_approach_of_each_phase()
    {
        // NS phase: north 500, south 700 veh/h on 2 lanes (3,600 veh/h) → y = 0.19444; EW: east 300, west 200 on
        // 1 lane (1,800) → y = 0.16667. Same result as GreenTimes over the critical flows.
        var plan = SignalPlan.TwoPhase();
        var retimed = Webster.Retime(plan, [500, 300, 700, 200], [3_600, 1_800, 3_600, 1_800]);
        var expected = Webster.Timing([700, 300], [3_600, 1_800], plan.LostTimePerPhaseSeconds);
        // Y = 0.3611: C₀ = 17 / 0.6389 = 26.6 s, raised to the 30 s minimum cycle.
        Assert.Equal(30, expected.CycleSeconds);

        Assert.Equal(expected.CycleSeconds, retimed.CycleSeconds);
        Assert.Equal(expected.GreenSeconds, retimed.Phases.Select(p => p.GreenSeconds));
        Assert.Equal(["NS", "EW"], retimed.Phases.Select(p => p.Name));
        var errors = new List<ValidationError>();
        SignalPlanValidator.Validate(retimed, errors, "plan");
        Assert.Empty(errors);
    }

    [Fact]
    public void Bad_input_is_refused()
    {
        Assert.Throws<ArgumentException>(() => Webster.GreenTimes([], [], 4));
        Assert.Throws<ArgumentException>(() => Webster.GreenTimes([1, 2], [1_800], 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Webster.GreenTimes([100, 100], [1_800, 0], 4));
        Assert.Throws<ArgumentOutOfRangeException>(() => Webster.GreenTimes([-1, 100], [1_800, 1_800], 4));
    }
}
