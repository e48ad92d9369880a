using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

/// <summary>
/// An isolated fixed-time approach against the HCM control delay (MODELS.md). Plan: 90 s cycle, 41 s effective green
/// for the approach; s = 1,800 veh/h/lane. Demand for T = 15 min starting from an empty queue, as d₂ assumes. The
/// point queue alone: the moving loss on top of it is SUMO's, not HCM's (<see cref="TrafficOptions.MovingLossSecondsPerVehPerHour"/>).
/// </summary>
public sealed class HcmDelayTests
{
    private const double Cycle = 90, Green = 41;

    /// <summary>
    /// Stated tolerance: within −20 % … +5 % of d₁ + d₂. HCM's d₂ is a conservative closed form; the model sits below
    /// it near saturation, as does an exact discrete-vehicle FIFO simulation of the same case (−23 % at X = 0.95,
    /// see docs/models.md), and never above it by more than 5 %.
    /// </summary>
    [Theory]
    [InlineData(1, 0.3)]
    [InlineData(1, 0.5)]
    [InlineData(1, 0.7)]
    [InlineData(1, 0.8)]
    [InlineData(1, 0.9)]
    [InlineData(1, 0.95)]
    [InlineData(2, 0.3)]
    [InlineData(2, 0.5)]
    [InlineData(2, 0.7)]
    [InlineData(2, 0.8)]
    [InlineData(2, 0.9)]
    [InlineData(2, 0.95)]
    public void Random_arrivals_give_the_HCM_control_delay_within_the_stated_tolerance(int lanes, double x)
    {
        var net = Networks.Isolated(lanes);
        var capacity = lanes * 1_800 * Green / Cycle;
        var assignment = Assignment.Compute(net, Networks.Flow(net, "n", "s", x * capacity));
        double delay = 0, vehicles = 0;
        for (var seed = 1; seed <= 150; seed++)
        {
            var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = seed, DemandSeconds = 900, MovingLossSecondsPerVehPerHour = 0 });
            sim.Run(900);
            sim.RunUntilEmpty(3_600, 0.001);
            var r = sim.ApproachResult(0, Approach.North);
            delay += r.MeanDelaySeconds * r.Throughput;
            vehicles += r.Throughput;
        }
        var hcm = Hcm.ControlDelay(x * capacity, capacity, Green, Cycle);
        Assert.InRange(delay / vehicles, 0.80 * hcm, 1.05 * hcm);
    }

    /// <summary>With evenly spread arrivals there is no random delay: the model gives d₁ within half a second.</summary>
    [Theory]
    [InlineData(0.3)]
    [InlineData(0.6)]
    [InlineData(0.8)]
    [InlineData(0.95)]
    public void Uniform_arrivals_give_the_uniform_delay(double x)
    {
        var net = Networks.Isolated(2);
        var capacity = 2 * 1_800 * Green / Cycle;
        var assignment = Assignment.Compute(net, Networks.Flow(net, "n", "s", x * capacity));
        var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Arrivals = ArrivalProcess.Uniform, DemandSeconds = 3 * 3_600, MovingLossSecondsPerVehPerHour = 0 });
        sim.Run(3 * 3_600);

        Assert.Equal(Hcm.UniformDelay(x * capacity, capacity, Green, Cycle), sim.ApproachResult(0, Approach.North).MeanDelaySeconds, 0.5);
    }

    [Fact]
    public void The_oracle_itself_matches_a_value_worked_by_hand()
    {
        // c = 1,800 × 41/90 = 820 veh/h, v = 656 veh/h (X = 0.8): d₁ = 45 × (49/90)² / (1 − 0.8 × 41/90) = 20.99 s;
        // d₂ = 225 × (−0.2 + √(0.04 + 8 × 0.5 × 0.8 / 205)) = 225 × (−0.2 + √0.055610) = 8.06 s.
        Assert.Equal(20.99, Hcm.UniformDelay(656, 820, 41, 90), 2);
        Assert.Equal(8.06, Hcm.IncrementalDelay(656, 820), 2);
    }
}
