namespace CityTwin.Domain.Scenarios;

/// <summary>Folds a sweep's run outcomes into each point's KPI bands; pure, and order-independent.</summary>
public static class SweepAggregation
{
    /// <summary>The KPIs a sweep reports, in this order: the city's totals, then trips and time loss.</summary>
    public static readonly (string Name, Func<KpiTotals, double, double, double> Of)[] Kpis =
    [
        ("meanDelaySeconds", (k, _, _) => k.MeanDelaySeconds),
        ("maxQueueVehicles", (k, _, _) => k.MaxQueueVehicles),
        ("throughput", (k, _, _) => k.Throughput),
        ("maxAssetsOffline", (k, _, _) => k.MaxAssetsOffline),
        ("energyKWh", (k, _, _) => k.EnergyKWh),
        ("maxCamerasWithoutFeed", (k, _, _) => k.MaxCamerasWithoutFeed),
        ("linkAvailability", (k, _, _) => k.LinkAvailability),
        ("tripsCompleted", (_, trips, _) => trips),
        ("meanTimeLossSeconds", (_, _, loss) => loss),
    ];

    /// <param name="runs">The sweep's planned runs (<see cref="SweepPlan.Expand"/>).</param>
    /// <param name="outcomes">Those that have an outcome so far, in any order.</param>
    public static SweepResult Aggregate(SweepSpec sweep, IReadOnlyList<SweepRun> runs, IEnumerable<SweepRunOutcome> outcomes)
    {
        var byIndex = outcomes.GroupBy(o => o.Index).ToDictionary(g => g.Key, g => g.Last());
        var points = runs.GroupBy(r => r.Value).Select(g =>
        {
            var done = g.Select(r => byIndex.GetValueOrDefault(r.Index)).OfType<SweepRunOutcome>().ToArray();
            var ok = done.Where(o => o.Succeeded).ToArray();
            return new SweepPoint
            {
                Value = g.Key,
                Runs = g.Count(),
                Completed = ok.Length,
                Failed = done.Length - ok.Length,
                Kpis = ok.Length == 0 ? [] : Kpis.Select(k =>
                {
                    var b = ok.Select(o => k.Of(o.Baseline!, o.BaselineTripsCompleted, o.BaselineMeanTimeLossSeconds)).ToArray();
                    var v = ok.Select(o => k.Of(o.Variant!, o.VariantTripsCompleted, o.VariantMeanTimeLossSeconds)).ToArray();
                    return new KpiBand(k.Name, Band.Of(b), Band.Of(v), Band.Of(v.Zip(b, (x, y) => x - y).ToArray()));
                }).ToArray(),
            };
        }).ToArray();
        var completed = byIndex.Values.Where(o => o.Succeeded).ToArray();
        return new SweepResult
        {
            Name = sweep.Name,
            Parameter = sweep.Range?.Parameter,
            Seeds = sweep.Seeds,
            Runs = runs.Count,
            Completed = completed.Length,
            Failed = byIndex.Count - completed.Length,
            Points = points,
            Notes = completed.SelectMany(o => o.Notes.Distinct()).GroupBy(n => n).OrderByDescending(g => g.Count()).ThenBy(g => g.Key, StringComparer.Ordinal)
                .Select(g => g.Count() == completed.Length ? g.Key : $"{g.Key} (in {g.Count()} of {completed.Length} runs)").ToArray(),
        };
    }
}
