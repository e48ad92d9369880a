using CityTwin.Domain.Assets;
using CityTwin.Domain.Traffic;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Scenarios;

/// <summary>
/// Searches cycle and green splits for chosen intersections. Start: each intersection's Webster settings from the
/// approach flows the simulator gives under the current plans (critical flow ratio of each phase against its approach
/// links' saturation flow). Judge: the scenario run with the candidate plans as its variant — the baseline is the
/// current plans, on the same seeded demand — scored by the chosen intersections' throughput-weighted mean delay; a
/// candidate that lets more than 2 % fewer vehicles through is refused (a starved approach hides its queue from the
/// delay). Search: coordinate descent — the common cycle up and down, then each intersection's green moved between
/// neighbouring phases — taking the first improvement and halving the steps when none improves. The best plans are then
/// checked against the current ones on three seeds the search never saw. Pure and deterministic.
/// </summary>
public static class SignalOptimiser
{
    public const int CheckSeeds = 3;
    private const double MinThroughputShare = 0.98;

    public static List<ValidationError> Validate(OptimiseSpec spec, TwinSnapshot? snapshot = null)
    {
        var errors = new List<ValidationError>();
        if (spec.Name is null) errors.Add(new("name", "must not be null"));
        else if (spec.Name.Length > AssetValidator.MaxNameLength) errors.Add(new("name", $"must be at most {AssetValidator.MaxNameLength} characters"));
        AssetValidator.Range(errors, "maxEvaluations", spec.MaxEvaluations, 1, OptimiseSpec.MaxEvaluationsLimit);
        if (spec.Scenario is not { } scenario) { errors.Add(new("scenario", "is required: the demand and period the plans are tuned for")); return errors; }
        errors.AddRange(ScenarioValidator.Validate(scenario, snapshot).Select(e => e.Under("scenario")));
        if (scenario.Perturbations is { Length: > 0 })
            errors.Add(new("scenario.perturbations", "must be empty: plans are tuned for the scenario's demand (scale it with demand.scale for a surge)"));
        if (spec.IntersectionIds is null || spec.IntersectionIds.Length == 0) errors.Add(new("intersectionIds", "must name at least one intersection"));
        else if (spec.IntersectionIds.Length > OptimiseSpec.MaxIntersections) errors.Add(new("intersectionIds", $"must name at most {OptimiseSpec.MaxIntersections}"));
        else
        {
            if (spec.IntersectionIds.Distinct(StringComparer.Ordinal).Count() != spec.IntersectionIds.Length) errors.Add(new("intersectionIds", "must not repeat an id"));
            snapshot ??= scenario.Assets is { Length: > 0 } inline && errors.Count == 0 ? TwinSnapshot.FromAssets(inline) : null;
            if (snapshot is not null)
            {
                var known = snapshot.IntersectionIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
                for (var k = 0; k < spec.IntersectionIds.Length; k++)
                {
                    if (!known.TryGetValue(spec.IntersectionIds[k] ?? "", out var i)) errors.Add(new($"intersectionIds[{k}]", $"refers to unknown intersection '{spec.IntersectionIds[k]}'"));
                    else if (snapshot.IntersectionPlan[i].Phases.Length < 2) errors.Add(new($"intersectionIds[{k}]", "has a one-phase plan: there is no split to tune"));
                }
            }
        }
        return errors;
    }

    /// <exception cref="ArgumentException">The spec is not valid for the snapshot (check it with <see cref="Validate"/> first).</exception>
    public static OptimiseResult Optimise(OptimiseSpec spec, TwinSnapshot snapshot, IProgress<ScenarioProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        var errors = Validate(spec, snapshot);
        if (errors.Count > 0) throw new ArgumentException("Invalid optimisation: " + string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")), nameof(spec));
        var scenario = spec.Scenario! with { Perturbations = [] };
        var index = snapshot.IntersectionIds.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i, StringComparer.Ordinal);
        var targets = spec.IntersectionIds.Select(id => index[id]).ToArray();
        var current = targets.Select(i => snapshot.IntersectionPlan[i]).ToArray();
        var evaluations = 0;
        var budget = spec.MaxEvaluations;

        ScenarioResult Run(SignalPlan[] plans, int seed)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changes = targets.Select((i, k) => new Perturbation { Kind = PerturbationKind.SignalPlanChange, TargetIds = [snapshot.IntersectionIds[i]], Plan = plans[k] });
            return ScenarioRunner.Run(scenario with { Seed = seed, Perturbations = [.. changes] }, snapshot, null, cancellationToken);
        }
        var byId = new Func<ScenarioResult, Dictionary<string, IntersectionResult>>(r => r.Intersections.ToDictionary(x => x.Id, StringComparer.Ordinal));
        (double Delay, double Throughput) Score(ScenarioResult r, bool variant)
        {
            var rows = byId(r);
            double weighted = 0, through = 0;
            foreach (var i in targets)
            {
                var k = variant ? rows[snapshot.IntersectionIds[i]].Variant : rows[snapshot.IntersectionIds[i]].Baseline;
                weighted += k.MeanDelaySeconds * k.Throughput;
                through += k.Throughput;
            }
            return (through > 0 ? weighted / through : 0, through);
        }

        // Webster from the flows under the current plans: the first run's baseline.
        var network = RoadNetworkBuilder.FromSnapshot(snapshot);
        var webster = Webstered(current);
        evaluations++;
        var first = Run(webster, scenario.Seed);
        evaluations++;
        var (currentDelay, currentThroughput) = Score(first, variant: false);
        var (websterDelay, websterThroughput) = Score(first, variant: true);
        var flows = FlowsOf(first);
        var best = current;
        var bestScore = currentDelay;
        if (websterThroughput >= currentThroughput * MinThroughputShare && websterDelay < bestScore) (best, bestScore) = (webster, websterDelay);
        var bestResult = first;

        // Coordinate descent from the better of the two.
        double cycleStep = 0.15, splitStep = 4;
        while (evaluations < budget && splitStep >= 1)
        {
            var improved = false;
            foreach (var candidate in Moves(best, cycleStep, splitStep))
            {
                if (evaluations >= budget) break;
                var result = Run(candidate, scenario.Seed);
                evaluations++;
                progress?.Report(new ScenarioProgress(evaluations, budget));
                var (delay, throughput) = Score(result, variant: true);
                if (throughput < currentThroughput * MinThroughputShare || delay >= bestScore - 0.01) continue;
                (best, bestScore, bestResult, improved) = (candidate, delay, result, true);
                break;
            }
            if (!improved) (cycleStep, splitStep) = (cycleStep / 2, splitStep / 2);
        }

        // The saving on seeds the search never saw: current (baseline) against best (variant) in one run each.
        var checks = Enumerable.Range(1, CheckSeeds).Select(s =>
        {
            var r = Run(best, unchecked(scenario.Seed + 1_000 * s));
            return Score(r, variant: false).Delay - Score(r, variant: true).Delay;
        }).ToArray();

        var bestRows = ReferenceEquals(best, current) ? null : byId(bestResult);
        var firstRows = byId(first);
        var notes = new List<string>();
        if (ReferenceEquals(best, current)) notes.Add("No plan the search tried beat the current plans: keep them.");
        foreach (var (i, k) in targets.Select((i, k) => (i, k)))
            if (snapshot.IntersectionMode[i] == ControlMode.Adaptive)
                notes.Add($"{snapshot.IntersectionIds[i]} runs adaptive control: its plan is what it falls back to without its cameras (the simulation ran it adaptive too).");
        return new OptimiseResult
        {
            Name = spec.Name,
            Evaluations = evaluations,
            CurrentDelaySeconds = currentDelay,
            WebsterDelaySeconds = websterDelay,
            BestDelaySeconds = bestScore,
            DelaySavedSeconds = currentDelay - bestScore,
            DelaySavedShare = currentDelay > 0 ? (currentDelay - bestScore) / currentDelay : 0,
            CurrentTimeLossSeconds = first.BaselineMeanTimeLossSeconds,
            BestTimeLossSeconds = ReferenceEquals(best, current) ? first.BaselineMeanTimeLossSeconds : bestResult.VariantMeanTimeLossSeconds,
            Plans = targets.Select((i, k) => new PlanChoice
            {
                IntersectionId = snapshot.IntersectionIds[i],
                Current = current[k],
                Webster = webster[k],
                Best = best[k],
                CurrentDelaySeconds = firstRows[snapshot.IntersectionIds[i]].Baseline.MeanDelaySeconds,
                BestDelaySeconds = bestRows is null ? firstRows[snapshot.IntersectionIds[i]].Baseline.MeanDelaySeconds : bestRows[snapshot.IntersectionIds[i]].Variant.MeanDelaySeconds,
                ApproachFlowVehPerHour = flows[k],
            }).ToArray(),
            CheckSeedsDelaySavedSeconds = checks,
            Notes = [.. notes],
        };

        double[][] FlowsOf(ScenarioResult r)
        {
            var rows = byId(r);
            return targets.Select(i => rows[snapshot.IntersectionIds[i]].Baseline.ApproachThroughput.Select(v => v * 3_600.0 / scenario.HorizonSeconds).ToArray()).ToArray();
        }

        // Each intersection's Webster settings from the flows a run under the current plans gives.
        SignalPlan[] Webstered(SignalPlan[] plans)
        {
            var probe = ScenarioRunner.Run(scenario, snapshot, null, cancellationToken);
            var q = FlowsOf(probe);
            return targets.Select((i, k) => WebsterPlan(plans[k], q[k], Saturation(network, snapshot.IntersectionIds[i]))).ToArray();
        }
    }

    /// <summary>Saturation flow (veh/h) of each approach's incoming link; 0 where the junction has no such approach.</summary>
    private static double[] Saturation(RoadNetwork network, string intersectionId)
    {
        var node = network.NodeIndex(intersectionId);
        var s = new double[4];
        for (var link = 0; link < network.LinkCount; link++)
            if (network.LinkTo(link) == node && network.LinkApproach(link) is { } a) s[(int)a] = network.LinkCapacityPerHour(link);
        return s;
    }

    /// <summary>The plan's phases with Webster's cycle and greens for these approach flows (each phase's critical approach: its highest flow ratio).</summary>
    public static SignalPlan WebsterPlan(SignalPlan plan, double[] flowVehPerHour, double[] saturationVehPerHour)
    {
        var n = plan.Phases.Length;
        var critical = new double[n];
        var saturation = new double[n];
        for (var p = 0; p < n; p++)
        {
            (critical[p], saturation[p]) = (0, RoadNetwork.DefaultSaturationFlowPerLane);
            foreach (var a in plan.Phases[p].Approaches)
            {
                var s = saturationVehPerHour[(int)a];
                if (s > 0 && flowVehPerHour[(int)a] / s > critical[p] / saturation[p]) (critical[p], saturation[p]) = (flowVehPerHour[(int)a], s);
            }
        }
        var timing = Webster.Timing(critical, saturation, plan.LostTimePerPhaseSeconds,
            plan.Phases.Select(p => p.MinGreenSeconds).ToArray(), plan.Phases.Select(p => p.MaxGreenSeconds).ToArray(), Webster.DefaultMaxCycleSeconds);
        return Rounded(plan with { CycleSeconds = timing.CycleSeconds, Phases = [.. plan.Phases.Select((p, k) => p with { GreenSeconds = timing.GreenSeconds[k] })] });
    }

    /// <summary>Candidates next to <paramref name="plans"/>: every cycle scaled up and down, then each intersection's green moved between neighbouring phases.</summary>
    private static IEnumerable<SignalPlan[]> Moves(SignalPlan[] plans, double cycleStep, double splitStep)
    {
        foreach (var factor in new[] { 1 - cycleStep, 1 + cycleStep })
            if (Scaled(plans, factor) is { } scaled) yield return scaled;
        for (var k = 0; k < plans.Length; k++)
        {
            var n = plans[k].Phases.Length;
            for (var p = 0; p < (n == 2 ? 1 : n); p++)
                foreach (var shift in new[] { splitStep, -splitStep })
                    if (Shifted(plans[k], p, (p + 1) % n, shift) is { } moved)
                    {
                        var next = (SignalPlan[])plans.Clone();
                        next[k] = moved;
                        yield return next;
                    }
        }
    }

    private static SignalPlan[]? Scaled(SignalPlan[] plans, double factor)
    {
        var next = new SignalPlan[plans.Length];
        for (var k = 0; k < plans.Length; k++)
        {
            var plan = plans[k];
            var lost = plan.Phases.Length * plan.LostTimePerPhaseSeconds;
            var cycle = Math.Clamp(plan.CycleSeconds * factor, Webster.DefaultMinCycleSeconds, 180);
            var share = (cycle - lost) / Math.Max(1e-9, plan.Phases.Sum(p => p.GreenSeconds));
            var phases = plan.Phases.Select(p => p with { GreenSeconds = p.GreenSeconds * share }).ToArray();
            if (phases.Any(p => p.GreenSeconds < p.MinGreenSeconds || p.GreenSeconds > p.MaxGreenSeconds)) return null;
            next[k] = Rounded(plan with { CycleSeconds = cycle, Phases = phases });
        }
        return next.SequenceEqual(plans) ? null : next;
    }

    private static SignalPlan? Shifted(SignalPlan plan, int from, int to, double seconds)
    {
        var phases = (SignalPhase[])plan.Phases.Clone();
        phases[from] = phases[from] with { GreenSeconds = phases[from].GreenSeconds - seconds };
        phases[to] = phases[to] with { GreenSeconds = phases[to].GreenSeconds + seconds };
        if (phases.Any(p => p.GreenSeconds < p.MinGreenSeconds || p.GreenSeconds > p.MaxGreenSeconds)) return null;
        return plan with { Phases = phases };
    }

    /// <summary>Tenths of a second, as a controller takes them; the greens never add up to more than the cycle leaves.</summary>
    private static SignalPlan Rounded(SignalPlan plan)
    {
        var cycle = Math.Round(plan.CycleSeconds, 1);
        var available = cycle - plan.Phases.Length * plan.LostTimePerPhaseSeconds;
        var phases = plan.Phases.Select(p => p with { GreenSeconds = Math.Floor(p.GreenSeconds * 10) / 10 }).ToArray();
        return phases.Sum(p => p.GreenSeconds) <= available + 1e-9 ? plan with { CycleSeconds = cycle, Phases = phases } : plan;
    }
}
