using System.Diagnostics;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Tests.Traffic;
using CityTwin.Domain.Traffic;

namespace CityTwin.LoadTests;

/// <summary>
/// The twin's traffic model against SUMO 1.15 (Debian's, microscopic) on the exported 10 × 10 grid (200 m blocks, 2
/// lanes, 50 km/h, 90 s fixed time), 1 h of demand then until every vehicle has arrived: mean time loss per trip (SUMO's
/// timeLoss + departDelay: the twin counts the wait at the origin too) at a light and a near-saturation demand, each
/// simulator's wall time (the twin's the median of 5 after 2 to warm up, one core; SUMO's one run), and how each answers a perturbation
/// — demand × 1.3, the central junction dark (an all-way stop) — the twin's change against SUMO's.
/// </summary>
public static class SumoBenchmark
{
    private const int Hour = 3_600;

    public static async Task<List<string>> RunAsync()
    {
        var grid = GridNetwork.Build(new GridSpec());
        var centre = 5 * 10 + 5;
        var cases = new (string Name, double Trips, double Factor, bool Dark)[]
        {
            ("light, 7,200 trips/h", 7_200, 1, false), ("light × 1.3", 7_200, 1.3, false),
            ("near saturation, 14,400 trips/h", 14_400, 1, false), ("near saturation × 1.3", 14_400, 1.3, false), ("near saturation, centre dark", 14_400, 1, true),
        };
        var results = new Dictionary<string, (double Twin, double Sumo, double TwinMs, double SumoS)>();
        foreach (var c in cases)
        {
            var demand = OdMatrix.Generate(grid, c.Trips, fringeShare: 0.8, seed: 42).Scaled(c.Factor);
            var assignment = Assignment.Compute(grid, demand);
            double loss = 0;
            var times = Enumerable.Range(0, 7).Select(_ =>
            {
                var clock = Stopwatch.StartNew();
                var sim = new TrafficSimulation(grid, assignment, new TrafficOptions { Seed = 42 });
                if (c.Dark) sim.SetMode(centre, ControlMode.Dark);
                sim.Run(Hour);
                sim.RunUntilEmpty(4 * Hour);
                loss = sim.Summary().MeanTimeLossSeconds;
                return clock.Elapsed.TotalMilliseconds;
            }).Skip(2).Order().ToArray(); // the first two warm the JIT up
            var dir = Directory.CreateTempSubdirectory("citytwin-sumo-bench-").FullName;
            SumoExport.Write(grid, demand, dir, Hour, dark: c.Dark ? new HashSet<int> { centre } : null);
            var sumo = await Sumo.RunAsync(dir);
            if (sumo.Running > 0 || sumo.Loaded != sumo.Inserted) throw new InvalidOperationException($"{c.Name}: SUMO left {sumo.Running} running, inserted {sumo.Inserted} of {sumo.Loaded}");
            results[c.Name] = (loss, sumo.TwinComparableTimeLossSeconds, times[2], sumo.WallSeconds);
            Console.WriteLine($"{c.Name}: twin {loss:0.0} s/trip in {times[2]:0.0} ms; SUMO {sumo.TwinComparableTimeLossSeconds:0.0} s/trip (timeLoss {sumo.TimeLossSeconds:0.0} + departDelay {sumo.DepartDelaySeconds:0.0}), {sumo.Trips:N0} trips, {sumo.Teleports} teleports, in {sumo.WallSeconds:0.0} s");
            Directory.Delete(dir, recursive: true);
        }

        string Level(string name)
        {
            var r = results[name];
            var ratio = r.Twin / r.Sumo;
            return $"| Time loss per trip, 10 × 10 grid, {name}, 1 h + until empty: twin vs SUMO 1.15 (`bash load-tests/run.sh sumo`) | twin **{r.Twin:0.0} s**, SUMO **{r.Sumo:0.0} s**: **{ratio:0.00}×**; wall time twin {r.TwinMs:0} ms (median of 5), SUMO {r.SumoS:0.0} s: the twin **{r.SumoS * 1_000 / r.TwinMs:N0}× faster** | within ±25 % {(Math.Abs(ratio - 1) <= 0.25 ? "✅" : "❌")}; ≥ 400× {(r.SumoS * 1_000 / r.TwinMs >= 400 ? "✅" : "❌")} |";
        }
        string Change(string name, string from)
        {
            var (b, v) = (results[from], results[name]);
            var (twin, sumo) = (v.Twin - b.Twin, v.Sumo - b.Sumo);
            var share = sumo == 0 ? double.NaN : twin / sumo;
            return $"| Change of time loss per trip, {name} against {from}: twin vs SUMO | twin **{twin:+0.0;-0.0} s**, SUMO **{sumo:+0.0;-0.0} s**: the twin's change is **{share:0.00}×** SUMO's | within ±25 % of SUMO's {(Math.Abs(share - 1) <= 0.25 ? "✅" : "❌")} |";
        }
        return
        [
            Level("light, 7,200 trips/h"),
            Level("near saturation, 14,400 trips/h"),
            Change("light × 1.3", "light, 7,200 trips/h"),
            Change("near saturation × 1.3", "near saturation, 14,400 trips/h"),
            Change("near saturation, centre dark", "near saturation, 14,400 trips/h"),
        ];
    }
}
