using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

public sealed class TrafficSimulationTests
{
    private static readonly Lazy<(RoadNetwork Net, OdMatrix Demand, Assignment Assignment)> Grid = new(() =>
    {
        var net = GridNetwork.Build(new GridSpec { Rows = 6, Columns = 6 });
        var demand = OdMatrix.Generate(net, 3_000, 0.8, seed: 7);
        return (net, demand, Assignment.Compute(net, demand));
    });

    [Fact]
    public void Vehicles_are_conserved_entered_equals_completed_plus_in_network()
    {
        var (net, _, assignment) = Grid.Value;
        var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = 3, DemandSeconds = 1_800 });
        for (var k = 0; k < 12; k++)
        {
            sim.Run(300);
            Assert.Equal(sim.VehiclesEntered, sim.VehiclesCompleted + sim.VehiclesInNetwork, 1e-6);
        }
        Assert.True(sim.VehiclesEntered > 1_300);
        // Once demand stops the network drains.
        sim.RunUntilEmpty(3_600, 0.01);
        Assert.True(sim.VehiclesInNetwork < 0.01);
        Assert.Equal(sim.VehiclesEntered, sim.VehiclesCompleted, 0.01);
    }

    [Fact]
    public void The_same_seed_gives_the_same_run_bit_for_bit_and_another_seed_another()
    {
        var (net, _, assignment) = Grid.Value;
        TrafficSimulation Run(int seed)
        {
            var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = seed });
            sim.SetMode(14, ControlMode.Dark);
            sim.SetMode(20, ControlMode.Adaptive);
            sim.Run(2_000);
            return sim;
        }
        var (a, b, c) = (Run(5), Run(5), Run(6));

        Assert.Equal(a.Summary(), b.Summary());
        for (var l = 0; l < net.LinkCount; l++)
        {
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.LinkQueueVehicles(l)), BitConverter.DoubleToInt64Bits(b.LinkQueueVehicles(l)));
            Assert.Equal(BitConverter.DoubleToInt64Bits(a.LinkOccupancy(l)), BitConverter.DoubleToInt64Bits(b.LinkOccupancy(l)));
        }
        Assert.NotEqual(a.Summary(), c.Summary());
    }

    [Fact]
    public void A_fork_goes_on_exactly_as_the_original_would_and_independently_of_it()
    {
        var (net, _, assignment) = Grid.Value;
        var straight = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = 9 });
        straight.Run(1_500);

        var original = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = 9 });
        original.Run(700);
        var fork = original.Fork();
        fork.Run(800);
        Assert.Equal(straight.Summary(), fork.Summary());

        // The original is untouched by what the fork did, and a changed fork diverges.
        Assert.Equal(700, original.Time);
        var changed = original.Fork();
        changed.SetMode(14, ControlMode.Dark);
        changed.Run(800);
        original.Run(800);
        Assert.Equal(straight.Summary(), original.Summary());
        Assert.NotEqual(straight.Summary(), changed.Summary());
    }

    [Fact]
    public void A_full_link_blocks_the_links_feeding_it_spillback()
    {
        // A corridor: fringe a → x1 → x2 → fringe b. x2 is dark (an all-way stop, 720 veh/h) while 1,500 veh/h arrive:
        // the 150 m link x1 → x2 (2 lanes: 40 vehicles) fills and then x1 can only pass what x2 lets out.
        var b = new RoadNetworkBuilder();
        var x1 = b.AddIntersection("x1", 0, 0, "d01", SignalPlan.TwoPhase());
        var x2 = b.AddIntersection("x2", 150, 0, "d01", SignalPlan.TwoPhase(), ControlMode.Dark);
        var fa = b.AddFringe("a", -1_000, 0, "d01");
        var fb = b.AddFringe("b", 350, 0, "d01");
        b.AddLink(fa, x1, 1_000, 2, 50);
        var middle = b.AddLink(x1, x2, 150, 2, 50);
        b.AddLink(x2, fb, 200, 2, 50);
        var net = b.Build();
        var assignment = Assignment.Compute(net, Networks.Flow(net, "a", "b", 1_500));
        var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Arrivals = ArrivalProcess.Uniform });

        var maxOccupancy = 0.0;
        for (var s = 0; s < 3_600; s++)
        {
            sim.Step();
            maxOccupancy = Math.Max(maxOccupancy, sim.LinkOccupancy(middle));
        }
        Assert.Equal(40, net.LinkStorage(middle));
        Assert.InRange(maxOccupancy, 39.5, 40 + 1e-9); // full (less what the stop just let out), never over
        Assert.True(sim.ApproachResult(x1, Approach.West).QueueVehicles > 200); // the queue has backed up past x1
        // x1 passes only what the stop downstream serves (plus the 40 now stored between them), not the ≈ 1,640 veh/h its green could.
        var passed = sim.ApproachResult(x1, Approach.West).Throughput;
        var served = sim.ApproachResult(x2, Approach.West).Throughput;
        Assert.InRange(served, 680, 720); // 0.2 veh/s once the first vehicles got there
        Assert.Equal(served + sim.LinkOccupancy(middle), passed, 1e-6);
    }

    [Fact]
    public void A_full_link_holds_back_only_the_vehicles_bound_for_it()
    {
        // From fringe a into x1, 1,200 veh/h go on east to x2 (dark: an all-way stop serving 720 veh/h) and 400 veh/h
        // turn south to fringe c. The link x1 → x2 fills. An approach blocked as a whole would pass the vehicles for c
        // only at the stop's pace, 720 × 400 / 1,200 = 240 veh/h; held back by movement, they leave at their share of
        // the green whenever they are at the head — but they share the lanes with the vehicles for b, so they queue
        // behind them too and do not all get through.
        var b = new RoadNetworkBuilder();
        var x1 = b.AddIntersection("x1", 0, 0, "d01", SignalPlan.TwoPhase());
        var x2 = b.AddIntersection("x2", 150, 0, "d01", SignalPlan.TwoPhase(), ControlMode.Dark);
        var fa = b.AddFringe("a", -1_000, 0, "d01");
        var fb = b.AddFringe("b", 350, 0, "d01");
        var fc = b.AddFringe("c", 0, -200, "d01");
        b.AddLink(fa, x1, 1_000, 2, 50);
        var middle = b.AddLink(x1, x2, 150, 2, 50);
        b.AddLink(x2, fb, 200, 2, 50);
        b.AddLink(x1, fc, 200, 2, 50);
        var net = b.Build();
        var demand = OdMatrix.FromFlows([(net.NodeIndex("a"), net.NodeIndex("b"), 1_200), (net.NodeIndex("a"), net.NodeIndex("c"), 400)]);
        var sim = new TrafficSimulation(net, Assignment.Compute(net, demand), new TrafficOptions { Arrivals = ArrivalProcess.Uniform });
        var maxOccupancy = 0.0;
        for (var s = 0; s < 3_600; s++)
        {
            sim.Step();
            maxOccupancy = Math.Max(maxOccupancy, sim.LinkOccupancy(middle));
        }

        Assert.InRange(maxOccupancy, 39.5, 40 + 1e-9); // the link to the stop fills
        var toB = sim.ApproachResult(x2, Approach.West).Throughput; // everything the stop let through went on to b
        var toC = sim.VehiclesCompleted - toB;
        Assert.InRange(toB, 680, 720);
        Assert.InRange(toC, 260, 400);
    }

    [Theory]
    [InlineData(1, 720)]
    [InlineData(3, 1_080)]
    [InlineData(4, 1_440)]
    public void A_dark_junction_is_an_all_way_stop_where_opposing_approaches_go_together(int approaches, double perHour)
    {
        // One vehicle per 5 s from each queued approach while its pair (north–south, east–west) has the turn; the pairs
        // take turns. One busy approach: 720 veh/h; north alone against east and west: 360 + 720; all four: 1,440.
        var net = approaches == 4 ? FourWay() : Networks.Isolated(2, approachLengthM: 5_000, mode: ControlMode.Dark);
        var flows = new List<(int, int, double)> { (net.NodeIndex("n"), net.NodeIndex("s"), 1_200) };
        if (approaches >= 3)
        {
            flows.Add((net.NodeIndex("e"), net.NodeIndex("w"), 1_200));
            flows.Add((net.NodeIndex("w"), net.NodeIndex("e"), 1_200));
        }
        if (approaches == 4) flows.Add((net.NodeIndex("s"), net.NodeIndex("n"), 1_200));
        var sim = new TrafficSimulation(net, Assignment.Compute(net, OdMatrix.FromFlows(flows)), new TrafficOptions { Arrivals = ArrivalProcess.Uniform });
        sim.Run(600); // queues build before the measured hour
        var before = Enumerable.Range(0, 4).Sum(a => sim.ApproachResult(0, (Approach)a).Throughput);
        sim.Run(3_600);
        var served = Enumerable.Range(0, 4).Sum(a => sim.ApproachResult(0, (Approach)a).Throughput) - before;

        Assert.True(sim.IsStopControlled(0));
        Assert.Equal(perHour, served, 1e-6);
        if (approaches == 3)
        {
            // Taking turns: north, alone in its pair, gets a third; east and west, going together, a third each.
            var north = sim.ApproachResult(0, Approach.North).Throughput;
            Assert.InRange(north / (north + sim.ApproachResult(0, Approach.East).Throughput + sim.ApproachResult(0, Approach.West).Throughput), 0.29, 0.37);
        }
    }

    [Fact]
    public void A_left_turn_waits_for_a_gap_in_the_opposing_flow_and_holds_up_its_lane()
    {
        // 400 veh/h from the north on 2 lanes, 90 s two-phase plan (41 s green each), against a stream from the south.
        var net = FourWay(ControlMode.FixedTime);
        int n = net.NodeIndex("n"), s = net.NodeIndex("s"), e = net.NodeIndex("e");
        double NorthDelay(double leftShare, double opposing)
        {
            var flows = new List<(int, int, double)> { (n, s, 400 * (1 - leftShare)), (s, n, opposing) };
            if (leftShare > 0) flows.Add((n, e, 400 * leftShare)); // southbound, turning left is turning east
            var sim = new TrafficSimulation(net, Assignment.Compute(net, OdMatrix.FromFlows(flows)), new TrafficOptions { Seed = 3 });
            sim.Run(3_600);
            return sim.ApproachResult(0, Approach.North).MeanDelaySeconds;
        }

        // Going straight on, the approach does not cross what comes the other way: the same delay whatever it is.
        Assert.Equal(NorthDelay(0, 100), NorthDelay(0, 500), 9);
        // With a quarter turning left, the busier the opposing stream the longer the whole approach waits…
        var (light, moderate, busy) = (NorthDelay(0.25, 100), NorthDelay(0.25, 300), NorthDelay(0.25, 500));
        Assert.True(light < moderate && moderate < busy, $"{light:0.0} / {moderate:0.0} / {busy:0.0} s");
        // …and more than the left-turners' own wait for a gap would add: those behind them in their lane wait too.
        // Adams' mean wait for a 5.25 s gap in 500 veh/h packed into 41 s of 90: q = 0.305 veh/s.
        var q = 500 / 3_600.0 * 90 / 41;
        var gapWait = (Math.Exp(q * 5.25) - q * 5.25 - 1) / q;
        Assert.True(busy - light > 0.25 * gapWait * 1.5, $"{busy - light:0.0} s more against a quarter of {gapWait:0.0} s");
    }

    [Fact]
    public void A_left_turner_queued_through_the_red_waits_for_the_opposing_queue_to_clear()
    {
        // 200 veh/h from the north on 2 lanes, a quarter turning left, against 300 veh/h from the south; 90 s two-phase
        // plan (41 s green each). The south approach on 2 lanes or 1: the same stream, so the same gaps once it flows,
        // but its red queue clears at half the rate, and a left-turner at the head of the left lane waits it out.
        double NorthDelay(int southLanes)
        {
            var net = FourWay(ControlMode.FixedTime, southLanes);
            int n = net.NodeIndex("n"), s = net.NodeIndex("s"), e = net.NodeIndex("e");
            var flows = OdMatrix.FromFlows([(n, s, 150), (n, e, 50), (s, n, 300)]);
            var sim = new TrafficSimulation(net, Assignment.Compute(net, flows), new TrafficOptions { Seed = 3 });
            sim.Run(3_600);
            return sim.ApproachResult(0, Approach.North).MeanDelaySeconds;
        }

        // The opposing red queue, 300 veh/h × 49 s, leaves at 1,800 veh/h a lane less what keeps arriving.
        var (arrivals, queued) = (300 / 3_600.0, 300 / 3_600.0 * 49);
        double Clearing(int lanes) => queued / (lanes * RoadNetwork.DefaultSaturationFlowPerLane / 3_600 - arrivals);
        // The north left lane: every left-turner and half of those going straight on; 49 s of red queue in it. When its
        // first vehicle turns left (at the least), the whole queue waits for the opposing one: per vehicle of the approach,
        var (laneShare, leftInLane) = (0.25 + 0.75 / 2, 0.25 / (0.25 + 0.75 / 2));
        var inLane = 200 / 3_600.0 * laneShare * 49;
        var atLeast = leftInLane * inLane * (Clearing(1) - Clearing(2)) / (200 / 3_600.0 * 90);

        var (twoLanes, oneLane) = (NorthDelay(2), NorthDelay(1));
        Assert.True(oneLane - twoLanes >= atLeast, $"north waits {twoLanes:0.00} s against 2 opposing lanes, {oneLane:0.00} s against 1: at least {atLeast:0.00} s more expected");
    }

    [Fact]
    public void A_left_turner_queued_through_the_red_holds_up_everyone_queued_behind_it()
    {
        // 400 veh/h from the north on 2 lanes, a quarter turning left, against 200 veh/h from the south; two-phase plans
        // of 60 s and 120 s (4 s lost a phase). What the left turns cost the approach: its delay less the same flows
        // going straight on (which the opposing stream does not cross).
        double Cost(double cycle)
        {
            var net = FourWay(ControlMode.FixedTime, cycleSeconds: cycle);
            int n = net.NodeIndex("n"), s = net.NodeIndex("s"), e = net.NodeIndex("e");
            double NorthDelay(double left)
            {
                var sim = new TrafficSimulation(net, Assignment.Compute(net, OdMatrix.FromFlows([(n, s, 400 * (1 - left)), (n, e, 400 * left), (s, n, 200)])), new TrafficOptions { Seed = 3 });
                sim.Run(3_600);
                return sim.ApproachResult(0, Approach.North).MeanDelaySeconds;
            }
            return NorthDelay(0.25) - NorthDelay(0);
        }

        // The red queue meets the green as one batch, and each left-turner in it holds everyone behind it while it
        // waits for a gap (Adams, 5.1 s critical gap, the opposing flow packed into the green) and follows up (2.5 s)
        // instead of leaving 2 s after the one ahead. A Poisson red queue of mean m has m²/2 pairs; the left lane
        // carries every left-turner and half of those going straight on. Per vehicle of the approach, a cycle:
        static double Batch(double cycle)
        {
            var (green, red) = ((cycle - 8) / 2, (cycle + 8) / 2);
            var (laneShare, leftInLane) = (0.25 + 0.75 / 2, 0.25 / (0.25 + 0.75 / 2));
            var q = 200 / 3_600.0 * cycle / green;
            var gapWait = (Math.Exp(q * 5.1) - q * 5.1 - 1) / q;
            var m = 400 / 3_600.0 * laneShare * red;
            return leftInLane * (gapWait + 2.5 - 2) * m * m / 2 / (400 / 3_600.0 * cycle);
        }

        // The longer red holds more behind each left-turner: the cost grows by at least the batch's growth (the rest of
        // what left turns cost a vehicle — its own wait, the lane's queueing on green — hardly changes with the cycle).
        var (shortCycle, longCycle) = (Cost(60), Cost(120));
        Assert.True(longCycle - shortCycle >= Batch(120) - Batch(60),
            $"left turns cost {shortCycle:0.00} s a vehicle at 60 s, {longCycle:0.00} s at 120 s: at least {Batch(120) - Batch(60):0.00} s more expected");
    }

    /// <summary>
    /// The isolated junction with a long approach from every side, dark unless said otherwise; the southern approach with
    /// <paramref name="southLanes"/> lanes; its plan two phases of a <paramref name="cycleSeconds"/> cycle, 4 s lost each.
    /// </summary>
    private static RoadNetwork FourWay(ControlMode mode = ControlMode.Dark, int southLanes = 2, double cycleSeconds = 90)
    {
        var b = new RoadNetworkBuilder();
        var x = b.AddIntersection("x", 0, 0, "d01", SignalPlan.TwoPhase(cycleSeconds, 4), mode);
        foreach (var (name, dx, dy) in new[] { ("n", 0, 1), ("e", 1, 0), ("s", 0, -1), ("w", -1, 0) })
        {
            var f = b.AddFringe(name, 5_000 * dx, 5_000 * dy, "d01");
            b.AddLink(f, x, 5_000, name == "s" ? southLanes : 2, 50);
            b.AddLink(x, f, 5_000, 2, 50);
        }
        return b.Build();
    }

    [Fact]
    public void Every_vehicle_through_a_quiet_dark_junction_loses_the_stop_and_go_of_a_full_stop()
    {
        // 120 veh/h, evenly spaced: a vehicle every 30 s meets no queue, so it loses what stopping and starting again
        // costs (8 s: SUMO's vehicles at its all-way stops, besides standing) and almost nothing more.
        var net = Networks.Isolated(2, mode: ControlMode.Dark);
        var demand = Assignment.Compute(net, Networks.Flow(net, "n", "s", 120));
        double Delay(TrafficOptions options)
        {
            var sim = new TrafficSimulation(net, demand, options with { Arrivals = ArrivalProcess.Uniform });
            sim.Run(3_600);
            Assert.True(sim.IsStopControlled(0));
            return sim.ApproachResult(0, Approach.North).MeanDelaySeconds;
        }

        var delay = Delay(new TrafficOptions());
        Assert.InRange(delay, 8 - 0.5, 8 + 1);
        Assert.Equal(3, delay - Delay(new TrafficOptions { AllWayStopPenaltySeconds = 5 }), 1e-6); // HCM's 5 s
    }

    [Fact]
    public void A_controller_that_comes_back_from_dark_runs_its_plan_again()
    {
        var net = Networks.Isolated(2);
        var sim = new TrafficSimulation(net, Assignment.Compute(net, Networks.Flow(net, "n", "s", 600)));
        sim.SetMode(0, ControlMode.Dark);
        sim.Run(600);
        Assert.True(sim.IsStopControlled(0));
        sim.SetMode(0, ControlMode.FixedTime);
        Assert.False(sim.IsStopControlled(0));
        var before = sim.ApproachResult(0, Approach.North).Throughput;
        sim.Run(1_800);
        Assert.InRange(sim.ApproachResult(0, Approach.North).Throughput - before, 290, 310);
    }

    [Fact]
    public void Max_pressure_beats_an_even_split_when_demand_is_lopsided()
    {
        // 900 veh/h from the north on 1 lane against 150 veh/h from the east: an even 41/41 s split gives the north
        // approach X = 1.1; max-pressure shifts green to where the queue is.
        var net = Networks.Isolated(1, approachLengthM: 2_000);
        var demand = OdMatrix.FromFlows([(net.NodeIndex("n"), net.NodeIndex("s"), 900), (net.NodeIndex("e"), net.NodeIndex("w"), 150)]);
        var assignment = Assignment.Compute(net, demand);
        double DelayWith(ControlMode mode, AdaptiveStrategy strategy)
        {
            var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = 2, Adaptive = strategy, RetimeIntervalSeconds = 600 });
            sim.SetMode(0, mode);
            sim.Run(3_600);
            sim.RunUntilEmpty(3_600);
            return sim.Summary().MeanTimeLossSeconds;
        }
        var fixedTime = DelayWith(ControlMode.FixedTime, AdaptiveStrategy.MaxPressure);
        var maxPressure = DelayWith(ControlMode.Adaptive, AdaptiveStrategy.MaxPressure);
        var webster = DelayWith(ControlMode.Adaptive, AdaptiveStrategy.WebsterRetiming);

        Assert.True(maxPressure < fixedTime / 2, $"max-pressure {maxPressure:0.0} s vs fixed {fixedTime:0.0} s");
        Assert.True(webster < fixedTime / 2, $"Webster retiming {webster:0.0} s vs fixed {fixedTime:0.0} s");
    }

    [Fact]
    public void Webster_retiming_gives_the_busy_approach_the_longer_green()
    {
        var net = Networks.Isolated(1, approachLengthM: 2_000, mode: ControlMode.Adaptive);
        var demand = OdMatrix.FromFlows([(net.NodeIndex("n"), net.NodeIndex("s"), 700), (net.NodeIndex("e"), net.NodeIndex("w"), 150)]);
        var sim = new TrafficSimulation(net, Assignment.Compute(net, demand), new TrafficOptions { Adaptive = AdaptiveStrategy.WebsterRetiming, RetimeIntervalSeconds = 900 });
        Assert.Equal(41, sim.Plan(0).Phases[0].GreenSeconds);
        sim.Run(1_000);

        var plan = sim.Plan(0);
        Assert.True(sim.IsAdapting(0));
        Assert.True(plan.Phases[0].GreenSeconds > 2 * plan.Phases[1].GreenSeconds, $"NS {plan.Phases[0].GreenSeconds:0.0} s, EW {plan.Phases[1].GreenSeconds:0.0} s");
        Assert.InRange(plan.CycleSeconds, 30, 120);
    }

    [Fact]
    public void Adaptive_control_without_detection_runs_its_fixed_plan()
    {
        var net = Networks.Isolated(1, mode: ControlMode.Adaptive);
        var assignment = Assignment.Compute(net, Networks.Flow(net, "n", "s", 300));
        var blind = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = 4 });
        blind.SetDetection(0, false);
        var fixedTime = new TrafficSimulation(net, assignment, new TrafficOptions { Seed = 4 });
        fixedTime.SetMode(0, ControlMode.FixedTime);
        blind.Run(3_600);
        fixedTime.Run(3_600);

        Assert.False(blind.IsAdapting(0));
        Assert.Equal(fixedTime.Summary(), blind.Summary());
    }

    [Fact]
    public void A_plan_change_takes_effect()
    {
        // Giving the north approach 70 of 90 s instead of 41 cuts its uniform delay: d₁ = 45 (1 − g/C)² / (1 − X g/C).
        var net = Networks.Isolated(2);
        var assignment = Assignment.Compute(net, Networks.Flow(net, "n", "s", 800));
        var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Arrivals = ArrivalProcess.Uniform, DemandSeconds = 7_200, MovingLossSecondsPerVehPerHour = 0 });
        var plan = SignalPlan.TwoPhase() with
        {
            Phases = [SignalPlan.TwoPhase().Phases[0] with { GreenSeconds = 70 }, SignalPlan.TwoPhase().Phases[1] with { GreenSeconds = 12 }],
        };
        sim.SetPlan(0, plan);
        sim.Run(7_200);
        Assert.Equal(Hcm.UniformDelay(800, 3_600 * 70 / 90.0, 70, 90), sim.ApproachResult(0, Approach.North).MeanDelaySeconds, 0.5);
    }

    [Theory]
    [InlineData(200)]
    [InlineData(600)]
    public void Each_vehicle_crossing_a_signal_loses_more_moving_the_busier_its_street(double vehPerHour)
    {
        // The same approach with and without the moving loss: each vehicle loses 0.006 s per veh/h of its street's flow.
        var net = Networks.Isolated(2);
        var assignment = Assignment.Compute(net, Networks.Flow(net, "n", "s", vehPerHour));
        double Delay(double movingLoss)
        {
            var sim = new TrafficSimulation(net, assignment, new TrafficOptions { Arrivals = ArrivalProcess.Uniform, MovingLossSecondsPerVehPerHour = movingLoss });
            sim.Run(3_600);
            sim.RunUntilEmpty(3_600);
            return sim.ApproachResult(0, Approach.North).MeanDelaySeconds;
        }
        Assert.Equal(0.006, new TrafficOptions().MovingLossSecondsPerVehPerHour);
        Assert.Equal(0.006 * vehPerHour, Delay(0.006) - Delay(0), 0.05);
    }

    [Fact]
    public void Cancellation_stops_a_run()
    {
        var (net, _, assignment) = Grid.Value;
        var sim = new TrafficSimulation(net, assignment);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Throws<OperationCanceledException>(() => sim.Run(3_600, cancelled.Token));
    }
}
