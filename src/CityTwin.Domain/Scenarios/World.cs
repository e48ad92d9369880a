using CityTwin.Domain.Assets;
using CityTwin.Domain.Leo;
using CityTwin.Domain.Lighting;
using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Scenarios;

/// <summary>
/// The baseline or the variant of a run: its traffic simulation, the state of its infrastructure as the cascades
/// leave it (feeders → poles, cameras and controllers on battery; LEO links → camera feeds → adaptive control), and
/// the KPI accumulators. Area arrays are indexed by district, the last slot being the whole city.
/// </summary>
internal sealed class World
{
    private const int Never = int.MinValue / 2;
    /// <summary>For what was already lost in the snapshot: long enough ago for every timeout to have run out.</summary>
    private const int LongAgo = -1_000_000_000;

    private readonly ScenarioRun run;
    private readonly TwinSnapshot s;
    private readonly TrafficSimulation traffic;
    private readonly bool variant;
    private readonly int districts, city;

    // Infrastructure state, rebuilt by Update.
    private readonly bool[] feederDown, districtOutage, terminalFailed, cameraFailed, cameraFeed, controllerFault, dark, detectionOk;
    private readonly double[] rain;
    private readonly LinkQuality[] link;
    private readonly int[] unpoweredSince, detectionLostSince;
    private readonly ResolvedPerturbation?[] planBy, lightBy;
    private readonly SignalPlan[] appliedPlan; // the plan last handed to the traffic (a Webster-retiming controller retimes it itself)
    private readonly DimmingProfile[] lighting;
    private readonly double[] districtFactor, appliedFactor;
    private readonly int[] networkDistrict; // snapshot district → network district (−1: no intersections)
    private readonly int[] offlineNow, noFeedNow;

    // Interval accumulators.
    private readonly double[] markQueueSeconds, markDeparted, linkMaxInHorizon;
    private readonly double[] energy, availableSeconds;
    private readonly int[] offlineMax, noFeedMax, terminals;
    private readonly double[] terminalAvailable, terminalDegraded, terminalRtt, terminalThroughput, terminalIntervalAvailable;
    private readonly int[] secondsDark, secondsBlind;
    private double markCompleted, markDelay;

    // Series [area][interval] and per intersection / link.
    private readonly double[][] delay, maxQueue, throughput, energySeries, availability;
    private readonly int[][] offlineSeries, noFeedSeries;
    private readonly double[][] areaQueueSeconds, areaDeparted; // per interval, for totals
    private readonly double[][] intersectionDelay, intersectionQueue, linkAvailability;
    private readonly double[] approachQueueSeconds, approachDeparted, approachMaxQueue; // [i × 4 + a], over the horizon

    public World(ScenarioRun run, TrafficSimulation traffic, bool variant, World? from = null)
    {
        (this.run, s, this.traffic, this.variant) = (run, run.Snapshot, traffic, variant);
        districts = s.Districts.Length;
        city = districts;
        int n = s.IntersectionCount, cameras = s.CameraIds.Length, links = s.LinkIds.Length, areas = districts + 1, k = run.Intervals;
        (feederDown, districtOutage, terminalFailed) = (new bool[s.Feeders.Length], new bool[districts], new bool[links]);
        (cameraFailed, cameraFeed, controllerFault, dark, detectionOk) = (new bool[cameras], new bool[cameras], new bool[n], new bool[n], new bool[n]);
        rain = new double[links];
        link = new LinkQuality[links];
        unpoweredSince = from is null ? Filled(n, Never) : (int[])from.unpoweredSince.Clone();
        detectionLostSince = from is null ? Filled(n, Never) : (int[])from.detectionLostSince.Clone();
        planBy = new ResolvedPerturbation?[n];
        appliedPlan = from is null ? (SignalPlan[])s.IntersectionPlan.Clone() : (SignalPlan[])from.appliedPlan.Clone();
        lightBy = new ResolvedPerturbation?[districts + 1];
        lighting = new DimmingProfile[districts];
        districtFactor = new double[districts + 1];
        appliedFactor = Filled(districts + 1, 1.0);
        networkDistrict = s.Districts.Select(d => run.Network.Districts.ToList().IndexOf(d)).ToArray();
        (offlineNow, noFeedNow) = (new int[areas], new int[areas]);

        var linkCount = run.Network.LinkCount;
        (markQueueSeconds, markDeparted, linkMaxInHorizon) = (new double[linkCount], new double[linkCount], new double[linkCount]);
        (energy, availableSeconds, offlineMax, noFeedMax, terminals) = (new double[areas], new double[areas], new int[areas], new int[areas], new int[areas]);
        for (var t = 0; t < links; t++) { terminals[s.LinkDistrict[t]]++; terminals[city]++; }
        (terminalAvailable, terminalDegraded, terminalRtt, terminalThroughput, terminalIntervalAvailable) = (new double[links], new double[links], new double[links], new double[links], new double[links]);
        (secondsDark, secondsBlind) = (new int[n], new int[n]);
        (delay, maxQueue, throughput, energySeries, availability) = (Jagged(areas, k), Jagged(areas, k), Jagged(areas, k), Jagged(areas, k), Jagged(areas, k));
        (offlineSeries, noFeedSeries) = (Enumerable.Range(0, areas).Select(_ => new int[k]).ToArray(), Enumerable.Range(0, areas).Select(_ => new int[k]).ToArray());
        (areaQueueSeconds, areaDeparted) = (Jagged(areas, k), Jagged(areas, k));
        (intersectionDelay, intersectionQueue, linkAvailability) = (Jagged(n, k), Jagged(n, k), Jagged(links, k));
        (approachQueueSeconds, approachDeparted, approachMaxQueue) = (new double[4 * n], new double[4 * n], new double[4 * n]);
    }

    public TrafficSimulation Traffic => traffic;

    /// <summary>The snapshot's own state, before the warm-up: faulted controllers dark, adaptive control without working cameras blind.</summary>
    public void ApplyInitialState()
    {
        for (var i = 0; i < s.IntersectionCount; i++)
        {
            if (s.IntersectionFault[i]) traffic.SetMode(i, ControlMode.Dark);
            var seeing = HasCameras(i);
            for (var c = run.CameraStart[i]; c < run.CameraStart[i + 1]; c++) seeing &= s.CameraWorking[run.CameraOf[c]];
            traffic.SetDetection(i, seeing);
            if (!seeing) detectionLostSince[i] = LongAgo;
        }
    }

    /// <summary>Marks the start of the horizon (after the warm-up): counters from here on are the scenario's.</summary>
    public void StartHorizon()
    {
        traffic.LinkQueueSeconds.CopyTo(markQueueSeconds);
        traffic.LinkDeparted.CopyTo(markDeparted);
        traffic.ResetWindow();
        (markCompleted, markDelay) = (traffic.VehiclesCompleted, traffic.TotalDelaySeconds);
    }

    public World Fork(TrafficSimulation forkedTraffic) => new(run, forkedTraffic, variant: true, this);

    /// <summary>Rebuilds the infrastructure state at second t from the perturbations in force, and hands the traffic its consequences.</summary>
    public void Update(int t)
    {
        Array.Clear(feederDown);
        Array.Clear(districtOutage);
        Array.Clear(rain);
        Array.Clear(planBy);
        Array.Clear(lightBy);
        Array.Fill(districtFactor, 1.0);
        for (var k = 0; k < terminalFailed.Length; k++) terminalFailed[k] = !s.LinkWorking[k];
        for (var c = 0; c < cameraFailed.Length; c++) cameraFailed[c] = !s.CameraWorking[c];
        for (var i = 0; i < controllerFault.Length; i++) controllerFault[i] = s.IntersectionFault[i];

        if (variant)
            foreach (var p in run.Perturbations)
            {
                if (!p.Source.ActiveAt(t)) continue;
                switch (p.Kind)
                {
                    case PerturbationKind.LinkDown: foreach (var k in p.Targets) terminalFailed[k] = true; break;
                    case PerturbationKind.LinkDegraded: foreach (var k in p.Targets) rain[k] = Math.Max(rain[k], p.Source.RainRateMmPerHour ?? 0); break;
                    case PerturbationKind.FeederOutage: foreach (var f in p.Targets) feederDown[f] = true; break;
                    case PerturbationKind.DistrictOutage:
                        districtOutage[p.District] = true;
                        for (var f = 0; f < feederDown.Length; f++) if (s.FeederDistrict[f] == p.District) feederDown[f] = true;
                        for (var k = 0; k < terminalFailed.Length; k++) if (s.LinkDistrict[k] == p.District) terminalFailed[k] = true;
                        break;
                    case PerturbationKind.ControllerFault: foreach (var i in p.Targets) controllerFault[i] = true; break;
                    case PerturbationKind.CameraFailure: foreach (var c in p.Targets) cameraFailed[c] = true; break;
                    case PerturbationKind.DemandFactor: districtFactor[p.District >= 0 ? p.District : city] *= p.Source.Factor ?? 1; break;
                    case PerturbationKind.SignalPlanChange: foreach (var i in p.Targets) if (p.After(planBy[i])) planBy[i] = p; break;
                    case PerturbationKind.LightingPolicy:
                        var slot = p.District >= 0 ? p.District : city;
                        if (p.After(lightBy[slot])) lightBy[slot] = p;
                        break;
                }
            }

        // LEO links at this step of the satellite track.
        var step = Math.Min(t / ScenarioRunner.StepSeconds, run.Track.Steps - 1);
        for (var k = 0; k < link.Length; k++)
            link[k] = terminalFailed[k] ? LinkBudget.Outage : run.Track.Quality(k, step, run.Budget, rain[k]);

        Array.Clear(offlineNow);
        Array.Clear(noFeedNow);
        // Offline as the live twin shows it (CascadeRules' statuses): a link down, a camera without feed, a pole
        // without power, a dark junction — so a KPI means the same in a scenario as on the operators' map.
        for (var k = 0; k < link.Length; k++) if (link[k].Status == LinkStatus.Down) Count(offlineNow, s.LinkDistrict[k]);
        for (var c = 0; c < cameraFailed.Length; c++)
        {
            var powered = Powered(s.CameraFeeder[c], s.CameraDistrict[c]);
            cameraFeed[c] = !cameraFailed[c] && powered && (s.CameraBackhaul[c] < 0 || link[s.CameraBackhaul[c]].Status != LinkStatus.Down);
            if (!cameraFeed[c])
            {
                Count(offlineNow, s.CameraDistrict[c]);
                Count(noFeedNow, s.CameraDistrict[c]);
            }
        }
        for (var g = 0; g < run.Lights.Count; g++)
            if (!Powered(run.Lights.Feeder[g], run.Lights.District[g])) Count(offlineNow, run.Lights.District[g], run.Lights.Working[g]);
        for (var d = 0; d < districts; d++) Count(offlineNow, d, run.Lights.OfflinePerDistrict[d]);

        for (var i = 0; i < controllerFault.Length; i++)
        {
            var d = s.IntersectionDistrict[i];
            if (Powered(s.IntersectionFeeder[i], d)) unpoweredSince[i] = Never;
            else if (unpoweredSince[i] == Never) unpoweredSince[i] = t;
            dark[i] = controllerFault[i] || (unpoweredSince[i] != Never && t - unpoweredSince[i] >= ScenarioRunner.BatterySeconds);
            if (dark[i]) Count(offlineNow, d);
            var mode = dark[i] ? ControlMode.Dark : s.IntersectionMode[i];
            if (traffic.Mode(i) != mode) traffic.SetMode(i, mode);

            var seeing = HasCameras(i);
            for (var c = run.CameraStart[i]; c < run.CameraStart[i + 1] && seeing; c++) seeing = cameraFeed[run.CameraOf[c]];
            detectionOk[i] = seeing;
            if (seeing) detectionLostSince[i] = Never;
            else if (detectionLostSince[i] == Never) detectionLostSince[i] = t;
            var available = seeing || t - detectionLostSince[i] < ScenarioRunner.DetectionTimeoutSeconds;
            if (traffic.HasDetection(i) != available) traffic.SetDetection(i, available);

            var plan = planBy[i]?.Source.Plan ?? s.IntersectionPlan[i];
            if (!ReferenceEquals(plan, appliedPlan[i])) traffic.SetPlan(i, appliedPlan[i] = plan);
        }

        for (var d = 0; d < districts; d++)
            lighting[d] = lightBy[d]?.Source.Lighting ?? lightBy[city]?.Source.Lighting ?? DimmingProfile.OwnLevels;

        if (!districtFactor.AsSpan().SequenceEqual(appliedFactor)) Redistribute();
    }

    /// <summary>Demand changed: scale the trips (a trip between two scaled districts takes both factors) and reassign.</summary>
    private void Redistribute()
    {
        districtFactor.CopyTo(appliedFactor, 0);
        if (districtFactor.All(f => f == 1)) { traffic.SetAssignment(run.BaseAssignment); return; }
        var demand = run.Demand.Scaled(districtFactor[city]);
        for (var d = 0; d < districts; d++)
            if (districtFactor[d] != 1 && networkDistrict[d] >= 0) demand = demand.ScaledForDistrict(run.Network, networkDistrict[d], districtFactor[d]);
        traffic.SetAssignment(Assignment.Compute(run.Network, demand, run.Routes, traffic.Assignment));
    }

    /// <summary>Lets <paramref name="seconds"/> pass in the state Update left: energy, counts and link time, then traffic.</summary>
    public void Advance(int t, int seconds, bool lampsOn, double localHour, CancellationToken cancellationToken)
    {
        if (lampsOn)
        {
            var lights = run.Lights;
            for (var g = 0; g < lights.Count; g++)
            {
                var d = lights.District[g];
                if (!Powered(lights.Feeder[g], d)) continue;
                var profile = lighting[d];
                var level = profile.LevelAt(localHour);
                var junction = !profile.DimJunctions ? lights.JunctionRated[g] : level is { } jl ? lights.JunctionRated[g] * jl / 100 : lights.JunctionOwn[g];
                var other = level is { } l ? lights.OtherRated[g] * l / 100 : lights.OtherOwn[g];
                var kWh = (junction + other) * seconds / 3_600_000.0;
                energy[d] += kWh;
                energy[city] += kWh;
            }
        }
        for (var a = 0; a <= districts; a++)
        {
            offlineMax[a] = Math.Max(offlineMax[a], offlineNow[a]);
            noFeedMax[a] = Math.Max(noFeedMax[a], noFeedNow[a]);
        }
        for (var k = 0; k < link.Length; k++)
        {
            if (link[k].Status == LinkStatus.Down) continue;
            terminalAvailable[k] += seconds;
            terminalIntervalAvailable[k] += seconds;
            if (link[k].Status == LinkStatus.Degraded) terminalDegraded[k] += seconds;
            terminalRtt[k] += link[k].RoundTripMs * seconds;
            terminalThroughput[k] += link[k].ThroughputMbps * seconds;
            availableSeconds[s.LinkDistrict[k]] += seconds;
            availableSeconds[city] += seconds;
        }
        for (var i = 0; i < dark.Length; i++)
        {
            if (dark[i]) secondsDark[i] += seconds;
            if (!detectionOk[i]) secondsBlind[i] += seconds;
        }
        traffic.Run(seconds, cancellationToken);
    }

    /// <summary>Closes interval k of <paramref name="length"/> seconds: traffic deltas since the last close, then everything into the series.</summary>
    public void CloseInterval(int k, int length)
    {
        var net = run.Network;
        var qs = traffic.LinkQueueSeconds;
        var departed = traffic.LinkDeparted;
        var window = traffic.LinkWindowMaxQueue;
        var areaQueue = new double[districts + 1];
        var areaDep = new double[districts + 1];
        var areaMax = new double[districts + 1];
        for (var i = 0; i < s.IntersectionCount; i++)
        {
            double iq = 0, id = 0, im = 0;
            for (var m = net.InStart[i]; m < net.InStart[i + 1]; m++)
            {
                var l = net.In[m];
                var dq = qs[l] - markQueueSeconds[l];
                var dd = departed[l] - markDeparted[l];
                (markQueueSeconds[l], markDeparted[l]) = (qs[l], departed[l]);
                var a = 4 * i + net.ApproachAt[l];
                approachQueueSeconds[a] += dq;
                approachDeparted[a] += dd;
                approachMaxQueue[a] = Math.Max(approachMaxQueue[a], window[l]);
                (iq, id, im) = (iq + dq, id + dd, Math.Max(im, window[l]));
            }
            intersectionDelay[i][k] = id > 0 ? iq / id : 0;
            intersectionQueue[i][k] = im;
            var d = s.IntersectionDistrict[i];
            (areaQueue[d], areaDep[d], areaMax[d]) = (areaQueue[d] + iq, areaDep[d] + id, Math.Max(areaMax[d], im));
            (areaQueue[city], areaDep[city], areaMax[city]) = (areaQueue[city] + iq, areaDep[city] + id, Math.Max(areaMax[city], im));
        }
        traffic.ResetWindow();

        for (var a = 0; a <= districts; a++)
        {
            delay[a][k] = areaDep[a] > 0 ? areaQueue[a] / areaDep[a] : 0;
            maxQueue[a][k] = areaMax[a];
            throughput[a][k] = areaDep[a];
            areaQueueSeconds[a][k] = areaQueue[a];
            areaDeparted[a][k] = areaDep[a];
            offlineSeries[a][k] = offlineMax[a];
            noFeedSeries[a][k] = noFeedMax[a];
            energySeries[a][k] = energy[a];
            availability[a][k] = terminals[a] > 0 ? availableSeconds[a] / ((double)terminals[a] * length) : 1;
        }
        for (var t = 0; t < link.Length; t++) linkAvailability[t][k] = terminalIntervalAvailable[t] / length;
        // The next interval starts from the state as it is now.
        Array.Clear(energy);
        Array.Clear(availableSeconds);
        Array.Clear(terminalIntervalAvailable);
        offlineNow.CopyTo(offlineMax, 0);
        noFeedNow.CopyTo(noFeedMax, 0);
    }

    public KpiSeries Series(int area) => new()
    {
        MeanDelaySeconds = delay[area], MaxQueueVehicles = maxQueue[area], Throughput = throughput[area], AssetsOffline = offlineSeries[area],
        EnergyKWh = energySeries[area], CamerasWithoutFeed = noFeedSeries[area], LinkAvailability = availability[area],
    };

    public KpiTotals Totals(int area)
    {
        var departed = areaDeparted[area].Sum();
        var lengths = run.Intervals;
        double available = 0;
        for (var k = 0; k < lengths; k++) available += availability[area][k] * IntervalLength(k);
        return new KpiTotals
        {
            MeanDelaySeconds = departed > 0 ? areaQueueSeconds[area].Sum() / departed : 0,
            MaxQueueVehicles = maxQueue[area].Max(),
            Throughput = departed,
            MaxAssetsOffline = offlineSeries[area].Max(),
            EnergyKWh = energySeries[area].Sum(),
            MaxCamerasWithoutFeed = noFeedSeries[area].Max(),
            LinkAvailability = available / run.Spec.HorizonSeconds,
        };
    }

    public IntersectionKpis IntersectionTotals(int i)
    {
        var qs = new double[4];
        var departed = new double[4];
        var max = new double[4];
        var delays = new double[4];
        for (var a = 0; a < 4; a++)
        {
            (qs[a], departed[a], max[a]) = (approachQueueSeconds[4 * i + a], approachDeparted[4 * i + a], approachMaxQueue[4 * i + a]);
            delays[a] = departed[a] > 0 ? qs[a] / departed[a] : 0;
        }
        var through = departed.Sum();
        return new IntersectionKpis
        {
            MeanDelaySeconds = through > 0 ? qs.Sum() / through : 0,
            MaxQueueVehicles = max.Max(),
            Throughput = through,
            ApproachDelaySeconds = delays,
            ApproachMaxQueueVehicles = max,
            ApproachThroughput = departed,
            SecondsDark = secondsDark[i],
            SecondsWithoutDetection = secondsBlind[i],
        };
    }

    public double[] IntersectionDelaySeries(int i) => intersectionDelay[i];
    public double[] IntersectionQueueSeries(int i) => intersectionQueue[i];
    public double[] LinkSeries(int k) => linkAvailability[k];

    public LinkKpis LinkTotals(int k)
    {
        var horizon = (double)run.Spec.HorizonSeconds;
        var up = terminalAvailable[k];
        return new LinkKpis
        {
            Availability = up / horizon,
            DegradedShare = terminalDegraded[k] / horizon,
            MeanRoundTripMs = up > 0 ? terminalRtt[k] / up : 0,
            MeanThroughputMbps = up > 0 ? terminalThroughput[k] / up : 0,
            Handovers = run.Track.At(k, run.Track.Steps - 1).Handovers,
        };
    }

    public double TripsCompleted => traffic.VehiclesCompleted - markCompleted;
    public double MeanTimeLoss => TripsCompleted > 0 ? (traffic.TotalDelaySeconds - markDelay) / TripsCompleted : 0;

    private int IntervalLength(int k) => Math.Min((k + 1) * run.Spec.IntervalSeconds, run.Spec.HorizonSeconds) - k * run.Spec.IntervalSeconds;

    private bool HasCameras(int i) => run.CameraStart[i + 1] > run.CameraStart[i];

    /// <summary>Power reaches an asset unless its feeder is cut (or, with no feeder named, its district is out).</summary>
    private bool Powered(int feeder, int district) => feeder >= 0 ? !feederDown[feeder] : !districtOutage[district];

    private void Count(int[] counts, int district, int by = 1)
    {
        counts[district] += by;
        counts[city] += by;
    }

    private static T[] Filled<T>(int n, T value)
    {
        var a = new T[n];
        Array.Fill(a, value);
        return a;
    }

    private static double[][] Jagged(int rows, int columns) => Enumerable.Range(0, rows).Select(_ => new double[columns]).ToArray();
}
