using System.Xml.Linq;
using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

/// <summary>
/// The SUMO export: well-formed for netconvert (every signal's program covers its connections, a dark junction is an
/// all-way stop, the flows carry the demand), and SUMO run on it agrees with the twin on a 10 × 10 grid's time loss at a
/// light and a near-saturation demand, and on how much a perturbation changes it, within ±25 % (SUMO from Debian's
/// package, which .ci/run installs).
/// </summary>
public sealed class SumoExportTests
{
    private static string TempDirectory() => Directory.CreateTempSubdirectory("citytwin-sumo-").FullName;

    [Fact]
    public void Each_signal_program_covers_its_connections_and_the_flows_carry_the_demand()
    {
        var grid = GridNetwork.Build(new GridSpec { Rows = 3, Columns = 3 });
        var demand = OdMatrix.Generate(grid, 2_000, fringeShare: 0.8, seed: 3);
        var dir = TempDirectory();

        SumoExport.Write(grid, demand, dir, dark: new HashSet<int> { 4 });

        var nodes = XDocument.Load(Path.Combine(dir, "citytwin.nod.xml")).Root!.Elements("node").ToArray();
        Assert.Equal(grid.NodeCount, nodes.Length);
        Assert.Equal("allway_stop", nodes.Single(n => (string?)n.Attribute("id") == grid.NodeId(4)).Attribute("type")!.Value);
        Assert.Equal(8, nodes.Count(n => (string?)n.Attribute("type") == "traffic_light"));
        Assert.Equal(grid.LinkCount, XDocument.Load(Path.Combine(dir, "citytwin.edg.xml")).Root!.Elements("edge").Count());

        var tll = XDocument.Load(Path.Combine(dir, "citytwin.tll.xml")).Root!;
        foreach (var logic in tll.Elements("tlLogic"))
        {
            var id = logic.Attribute("id")!.Value;
            var links = tll.Elements("connection").Where(c => c.Attribute("tl")!.Value == id).Select(c => int.Parse(c.Attribute("linkIndex")!.Value)).Order().ToArray();
            Assert.Equal(Enumerable.Range(0, links.Length), links);
            var phases = logic.Elements("phase").ToArray();
            Assert.All(phases, p => Assert.Equal(links.Length, p.Attribute("state")!.Value.Length));
            Assert.Equal(90, phases.Sum(p => int.Parse(p.Attribute("duration")!.Value))); // the plan's cycle
            Assert.All(Enumerable.Range(0, links.Length), k => Assert.Contains(phases, p => p.Attribute("state")!.Value[k] is 'G' or 'g')); // every movement gets green
        }
        // No U-turns: no connection leads back to the node it came from.
        foreach (var c in XDocument.Load(Path.Combine(dir, "citytwin.con.xml")).Root!.Elements("connection"))
        {
            var (from, to) = (c.Attribute("from")!.Value.Split('_'), c.Attribute("to")!.Value.Split('_'));
            Assert.NotEqual(from[0], to[1]);
        }
        var perHour = XDocument.Load(Path.Combine(dir, "citytwin.rou.xml")).Root!.Elements("flow").Sum(f => double.Parse(f.Attribute("probability")!.Value, System.Globalization.CultureInfo.InvariantCulture) * 3_600);
        Assert.Equal(demand.TotalTripsPerHour, perHour, 1e-3 * demand.TotalTripsPerHour);
    }

    [SumoTheory]
    [InlineData(7_200)]   // light
    [InlineData(14_400)]  // near saturation
    public async Task Sumo_runs_the_exported_grid_and_its_time_loss_agrees_with_the_twins_within_25_percent(double tripsPerHour)
    {
        const int demandSeconds = 1_800;
        var grid = GridNetwork.Build(new GridSpec());
        var demand = OdMatrix.Generate(grid, tripsPerHour, fringeShare: 0.8, seed: 42);
        var dir = TempDirectory();
        SumoExport.Write(grid, demand, dir, demandSeconds);

        var sumo = await Sumo.RunAsync(dir);
        var twin = new TrafficSimulation(grid, Assignment.Compute(grid, demand), new TrafficOptions { Seed = 42, DemandSeconds = demandSeconds });
        twin.Run(demandSeconds);
        twin.RunUntilEmpty(4 * 3_600);
        var twinLoss = twin.Summary().MeanTimeLossSeconds;

        Assert.Equal(sumo.Loaded, sumo.Inserted); // every vehicle SUMO made got in,
        Assert.Equal(0, sumo.Running);           // and every one arrived
        Assert.Equal(0, sumo.Teleports);
        Assert.InRange(sumo.Trips, tripsPerHour / 2 * 0.95, tripsPerHour / 2 * 1.05); // the same demand: half an hour of it
        Assert.InRange(twinLoss / sumo.TwinComparableTimeLossSeconds, 0.75, 1.25);
    }

    [SumoTheory]
    // Near saturation × 1.3 over the benchmark's hour: SUMO's seeds agree within a few seconds of +50 s. (Over half an
    // hour of demand the twin's change was 1.47× SUMO's on seed 42 — not taken apart yet: docs/models.md.)
    [InlineData(14_400, 1.3, false, 1, 3_600)]
    [InlineData(7_200, 1.3, false, 3, 1_800)] // light × 1.3: a few seconds, which SUMO's seeds spread, so the mean of three
    [InlineData(7_200, 1.0, true, 3, 1_800)]  // light, the central junction dark: on its four streets in, the mean of three
    public async Task Sumo_and_the_twin_change_alike_when_demand_grows_or_a_junction_goes_dark(double tripsPerHour, double factor, bool dark, int seeds, int demandSeconds)
    {
        var grid = GridNetwork.Build(new GridSpec());
        var centre = 5 * 10 + 5;
        var demand = OdMatrix.Generate(grid, tripsPerHour, fringeShare: 0.8, seed: 42);
        var variant = demand.Scaled(factor);

        // What each simulator loses — a trip's time loss, or the time lost on the central junction's streets in — on
        // one seed, as exported or perturbed.
        async Task<double> SumoAsync(OdMatrix d, int seed, bool centreDark)
        {
            var dir = TempDirectory();
            SumoExport.Write(grid, d, dir, demandSeconds, seed: seed, dark: centreDark ? new HashSet<int> { centre } : null);
            var stats = await Sumo.RunAsync(dir);
            Assert.Equal(0, stats.Running);
            return dark ? Sumo.DelayInto(dir, new HashSet<string> { grid.NodeId(centre) }) : stats.TwinComparableTimeLossSeconds;
        }
        double Twin(OdMatrix d, int seed, bool centreDark)
        {
            var sim = new TrafficSimulation(grid, Assignment.Compute(grid, d), new TrafficOptions { Seed = seed, DemandSeconds = demandSeconds });
            if (centreDark) sim.SetMode(centre, ControlMode.Dark);
            sim.Run(demandSeconds);
            sim.RunUntilEmpty(4 * 3_600);
            return dark ? sim.IntersectionDelaySeconds(centre) : sim.Summary().MeanTimeLossSeconds;
        }

        var seedList = Enumerable.Range(42, seeds).ToArray();
        var sumo = await Task.WhenAll(seedList.Select(async seed => await SumoAsync(variant, seed, dark) - await SumoAsync(demand, seed, false)));
        var twin = seedList.Select(seed => Twin(variant, seed, dark) - Twin(demand, seed, false)).ToArray();

        Assert.InRange(twin.Average() / sumo.Average(), 0.75, 1.25);
    }
}
