using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Leo;
using CityTwin.Domain.Lighting;
using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Scenarios;

/// <summary>One execution of <see cref="ScenarioRunner.Run"/>: what both worlds share, and the loop that advances them.</summary>
internal sealed class ScenarioRun
{
    private readonly ScenarioSpec spec;
    private readonly TwinSnapshot snapshot;
    private readonly IProgress<ScenarioProgress>? progress;
    private readonly CancellationToken cancellationToken;
    private readonly LinkBudget budget;
    private readonly GeoPoint centre;
    private readonly TimeSpan utcOffset;

    // Shared, immutable for the run.
    internal readonly RoadNetwork Network;
    /// <summary>The routing trees, kept for reassignments when they are small enough (else each reassignment routes again).</summary>
    internal readonly RouteSet? Routes;
    private const long MaxKeptTreeEntries = 2_000_000; // × 8 bytes
    internal readonly OdMatrix Demand;
    internal readonly Assignment BaseAssignment;
    internal readonly LinkTrack Track;
    internal readonly ResolvedPerturbation[] Perturbations;
    internal readonly int[] CameraStart, CameraOf; // cameras of each intersection (CSR)
    internal readonly LightingGroups Lights;
    private readonly int[] boundaries; // perturbation starts and ends, ascending
    private readonly int intervals;

    public ScenarioRun(ScenarioSpec spec, TwinSnapshot snapshot, Constellation constellation, LinkBudget budget,
        IProgress<ScenarioProgress>? progress, CancellationToken cancellationToken)
    {
        (this.spec, this.snapshot, this.budget, this.progress, this.cancellationToken) = (spec, snapshot, budget, progress, cancellationToken);
        centre = snapshot.Centre();
        utcOffset = TimeSpan.FromMinutes(spec.UtcOffsetMinutes);
        intervals = (spec.HorizonSeconds + spec.IntervalSeconds - 1) / spec.IntervalSeconds;

        Network = RoadNetworkBuilder.FromSnapshot(snapshot);
        Demand = OdMatrix.Generate(Network, spec.Demand.TripsPerHourPerIntersection * Network.IntersectionCount, spec.Demand.FringeShare, spec.Seed);
        var origins = Demand.Origins.Distinct().Count();
        Routes = (long)origins * Network.NodeCount <= MaxKeptTreeEntries ? RouteSet.ShortestFreeFlow(Network, Demand.Origins) : null;
        if (spec.Demand.FromTwin is { WindowSpan: { } window }) (Demand, Fit) = FromCounts(window);
        if (spec.Demand.Scale != 1) Demand = Demand.Scaled(spec.Demand.Scale);
        BaseAssignment = Assignment.Compute(Network, Demand, Routes);

        var terminals = Enumerable.Range(0, snapshot.LinkIds.Length).Select(k => new GroundTerminal(new GeoPoint(snapshot.LinkLon[k], snapshot.LinkLat[k]))).ToArray();
        Track = LinkTracker.Track(constellation, terminals, spec.Start, spec.HorizonSeconds / ScenarioRunner.StepSeconds + 1, ScenarioRunner.StepSeconds);

        Perturbations = spec.Perturbations.Select((p, k) => ResolvedPerturbation.Resolve(p, k, snapshot)).ToArray();
        boundaries = Perturbations.SelectMany(p => new[] { p.Source.AtSeconds, p.Source.DurationSeconds is { } d ? p.Source.AtSeconds + d : int.MaxValue })
            .Where(t => t > 0 && t < spec.HorizonSeconds).Distinct().Order().ToArray();

        var n = snapshot.IntersectionCount;
        CameraStart = new int[n + 1];
        foreach (var i in snapshot.CameraIntersection) if (i >= 0) CameraStart[i + 1]++;
        for (var i = 0; i < n; i++) CameraStart[i + 1] += CameraStart[i];
        CameraOf = new int[CameraStart[n]];
        var next = CameraStart[..^1];
        for (var c = 0; c < snapshot.CameraIds.Length; c++) if (snapshot.CameraIntersection[c] is var i and >= 0) CameraOf[next[i]++] = c;
        Lights = new LightingGroups(snapshot);
    }

    internal TwinSnapshot Snapshot => snapshot;
    internal ScenarioSpec Spec => spec;
    internal LinkBudget Budget => budget;

    public ScenarioResult Execute()
    {
        var options = new TrafficOptions { Seed = spec.Seed, DemandSeconds = int.MaxValue };
        var traffic = new TrafficSimulation(Network, BaseAssignment, options);
        var baseline = new World(this, traffic, variant: false);
        baseline.ApplyInitialState();
        traffic.Run(spec.WarmUpSeconds, cancellationToken);
        var variant = baseline.Fork(traffic.Fork());
        baseline.StartHorizon();
        variant.StartHorizon();

        var t = 0;
        baseline.Update(0);
        variant.Update(0);
        for (var k = 0; k < intervals; k++)
        {
            var end = Math.Min((k + 1) * spec.IntervalSeconds, spec.HorizonSeconds);
            while (t < end)
            {
                var next = Math.Min(end, (t / ScenarioRunner.StepSeconds + 1) * ScenarioRunner.StepSeconds);
                var boundary = Array.BinarySearch(boundaries, t + 1);
                boundary = boundary >= 0 ? boundary : ~boundary;
                if (boundary < boundaries.Length) next = Math.Min(next, boundaries[boundary]);
                var lampsOn = StreetLighting.LampsOn(centre, spec.Start.AddSeconds(t + (next - t) / 2.0));
                var localHour = StreetLighting.LocalHour(spec.Start.AddSeconds(t + (next - t) / 2.0), utcOffset);
                baseline.Advance(t, next - t, lampsOn, localHour, cancellationToken);
                variant.Advance(t, next - t, lampsOn, localHour, cancellationToken);
                t = next;
                if (t < spec.HorizonSeconds)
                {
                    baseline.Update(t);
                    variant.Update(t);
                }
            }
            baseline.CloseInterval(k, end - k * spec.IntervalSeconds);
            variant.CloseInterval(k, end - k * spec.IntervalSeconds);
            progress?.Report(new ScenarioProgress(end, spec.HorizonSeconds));
        }
        return Results(baseline, variant);
    }

    private ScenarioResult Results(World baseline, World variant)
    {
        var districts = snapshot.Districts.Length;
        AreaResult Area(int d, string id)
        {
            var (b, v) = (baseline.Series(d), variant.Series(d));
            var (bt, vt) = (baseline.Totals(d), variant.Totals(d));
            return new AreaResult { Id = id, Baseline = b, Variant = v, BaselineTotals = bt, VariantTotals = vt, Delta = vt.Minus(bt) };
        }
        var intersections = new IntersectionResult[snapshot.IntersectionCount];
        for (var i = 0; i < intersections.Length; i++)
            intersections[i] = new IntersectionResult
            {
                Id = snapshot.IntersectionIds[i],
                District = snapshot.Districts[snapshot.IntersectionDistrict[i]],
                Baseline = baseline.IntersectionTotals(i),
                Variant = variant.IntersectionTotals(i),
                BaselineDelaySeconds = baseline.IntersectionDelaySeries(i),
                VariantDelaySeconds = variant.IntersectionDelaySeries(i),
                BaselineMaxQueueVehicles = baseline.IntersectionQueueSeries(i),
                VariantMaxQueueVehicles = variant.IntersectionQueueSeries(i),
            };
        var links = new LinkResult[snapshot.LinkIds.Length];
        for (var k = 0; k < links.Length; k++)
            links[k] = new LinkResult
            {
                Id = snapshot.LinkIds[k],
                District = snapshot.Districts[snapshot.LinkDistrict[k]],
                Baseline = baseline.LinkTotals(k),
                Variant = variant.LinkTotals(k),
                BaselineAvailability = baseline.LinkSeries(k),
                VariantAvailability = variant.LinkSeries(k),
            };
        var city = Area(districts, "city");
        return new ScenarioResult
        {
            Notes = Notes(city, baseline, variant),
            DemandFit = Fit,
            Name = spec.Name,
            Seed = spec.Seed,
            HorizonSeconds = spec.HorizonSeconds,
            IntervalEndSeconds = Enumerable.Range(1, intervals).Select(k => Math.Min(k * spec.IntervalSeconds, spec.HorizonSeconds)).ToArray(),
            City = city,
            Districts = Enumerable.Range(0, districts).Select(d => Area(d, snapshot.Districts[d])).ToArray(),
            Intersections = intersections,
            Links = links,
            BaselineTripsCompleted = baseline.TripsCompleted,
            VariantTripsCompleted = variant.TripsCompleted,
            BaselineMeanTimeLossSeconds = baseline.MeanTimeLoss,
            VariantMeanTimeLossSeconds = variant.MeanTimeLoss,
        };
    }

    /// <summary>
    /// Perturbations that change nothing, said so (an operator's cut already in the snapshot made every delta 0 and
    /// the result did not say why), and a variant that came out as its baseline.
    /// </summary>
    private string[] Notes(AreaResult city, World baseline, World variant)
    {
        var notes = new List<string>();
        if (Fit is { CountedApproaches: 0, IntersectionsCounted: 0 })
            notes.Add($"No camera or intersection of the snapshot had a count within the window ({spec.Demand.FromTwin!.Window}): the demand is the synthetic one.");
        foreach (var p in Perturbations)
        {
            var source = p.Source;
            // The kind as the spec writes it (linkDown, not LinkDown).
            var kind = System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(source.Kind.ToString());
            var what = $"Perturbation {p.Order + 1} ({kind}{(source.TargetId is { } target ? " " + target : "")})";
            string? reason = p.Kind switch
            {
                _ when source.AtSeconds >= spec.HorizonSeconds => $"starts at {source.AtSeconds} s, at or after the horizon ({spec.HorizonSeconds} s)",
                PerturbationKind.LinkDown when p.Targets.Length > 0 && p.Targets.All(k => !snapshot.LinkWorking[k]) =>
                    "the link is already down in the snapshot",
                PerturbationKind.ControllerFault when p.Targets.Length > 0 && p.Targets.All(i => snapshot.IntersectionFault[i]) =>
                    "the controller is already faulted in the snapshot",
                PerturbationKind.CameraFailure when p.Targets.Length > 0 && p.Targets.All(c => !snapshot.CameraWorking[c]) =>
                    "every camera it names is already without feed in the snapshot",
                PerturbationKind.DemandFactor when source.Factor == 1 => "a demand factor of 1 leaves demand as it is",
                _ => null,
            };
            if (reason is not null) notes.Add($"{what} changes nothing: {reason}.");
        }
        if (city.VariantTotals == city.BaselineTotals && variant.TripsCompleted == baseline.TripsCompleted && variant.MeanTimeLoss == baseline.MeanTimeLoss)
            notes.Add(Perturbations.Length == 0 ? "The spec has no perturbations: the variant is the baseline."
                : notes.Count > 0 ? "The variant's KPIs equal the baseline's: see the notes above."
                : "The variant's KPIs equal the baseline's: its perturbations did not change what is measured in this horizon.");
        return [.. notes];
    }

    /// <summary>How the demand estimated from the twin's counts fits them; null when the spec's demand is synthetic.</summary>
    internal readonly DemandFit? Fit;

    /// <summary>
    /// The counts received within <paramref name="window"/> before the snapshot's newest: cameras' on the approaches
    /// they watch (cameras on one approach: their mean) and controllers' flows entering their intersections; and the
    /// synthetic demand re-estimated to match them.
    /// </summary>
    private (OdMatrix, DemandFit) FromCounts(TimeSpan window)
    {
        var s = snapshot;
        var cameras = s.CameraIds.Length;
        var hasCameraCounts = s.CameraCountPerHour.Length == cameras && s.CameraCountAt.Length == cameras;
        var hasFlows = s.IntersectionFlowPerHour.Length == s.IntersectionIds.Length && s.IntersectionFlowAt.Length == s.IntersectionIds.Length;
        var newest = Math.Max(hasCameraCounts && cameras > 0 ? s.CameraCountAt.Max() : 0,
            hasFlows ? s.IntersectionFlowAt.Where((_, i) => s.IntersectionFlowPerHour[i] >= 0).DefaultIfEmpty(0).Max() : 0);
        var counts = new List<(int Link, double VehPerHour)>();
        var counted = 0;
        for (var c = 0; c < cameras && hasCameraCounts; c++)
        {
            var (i, approach) = (s.CameraIntersection[c], s.CameraApproach[c]);
            if (i < 0 || approach < 0 || s.CameraCountPerHour[c] < 0 || s.CameraCountAt[c] < newest - window.Ticks) continue;
            var link = -1;
            for (var m = Network.InStart[i]; m < Network.InStart[i + 1] && link < 0; m++)
                if (Network.ApproachAt[Network.In[m]] == approach) link = Network.In[m];
            if (link < 0) continue;
            counts.Add((link, s.CameraCountPerHour[c]));
            counted++;
        }
        // Intersections are the network's first nodes, in the snapshot's order.
        var flows = new List<(int Node, double VehPerHour)>();
        for (var i = 0; hasFlows && i < s.IntersectionIds.Length; i++)
            if (s.IntersectionFlowPerHour[i] >= 0 && s.IntersectionFlowAt[i] >= newest - window.Ticks) flows.Add((i, s.IntersectionFlowPerHour[i]));
        var estimate = OdEstimation.FromCounts(Network, Demand, counts, Routes, intersectionCounts: flows);
        var fit = estimate.Fit;
        return (estimate.Demand, new DemandFit
        {
            CamerasCounted = counted,
            CamerasWithoutCount = s.CameraIntersection.Count(i => i >= 0) - counted,
            CountedApproaches = fit.Count(f => f.Link >= 0),
            IntersectionsCounted = flows.Count,
            ShareGehBelow5 = estimate.ShareGehBelow5,
            MeanGeh = fit.Length == 0 ? 0 : fit.Average(f => f.Geh),
            MaxGeh = fit.Length == 0 ? 0 : fit.Max(f => f.Geh),
            CountedVehPerHour = fit.Sum(f => f.Counted),
            ModelledVehPerHour = fit.Sum(f => f.Modelled),
            PriorTripsPerHour = Demand.TotalTripsPerHour,
            EstimatedTripsPerHour = estimate.Demand.TotalTripsPerHour,
            PriorShareGehBelow5 = estimate.PriorShareGehBelow5,
            Worst = [.. fit.OrderByDescending(f => f.Geh).ThenBy(f => f.Link).ThenBy(f => f.Node).Take(20).Select(f => f.Link >= 0
                ? new ApproachFit(s.IntersectionIds[Network.LinkTo(f.Link)], ((Approach)Network.ApproachAt[f.Link]).ToString().ToLowerInvariant(), f.Counted, f.Modelled, f.Geh)
                : new ApproachFit(s.IntersectionIds[f.Node], "all", f.Counted, f.Modelled, f.Geh))],
        });
    }

    internal int Intervals => intervals;
}
