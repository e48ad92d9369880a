using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Traffic;

/// <summary>
/// A mesoscopic point-queue (queue-link) traffic simulation, MATSim-style, in 1 s steps with fluid vehicle counts.
/// A vehicle entering a link travels it at free speed, then joins the point queue at its end; the queue discharges
/// at saturation flow × lanes while its approach is green, into the next links in the shares of the
/// <see cref="Assignment"/>, and only as far as each next link has storage left (length × lanes / 7.5 m): a full link
/// blocks its feeders, which is spillback. Left-turners yielding to the opposing flow at a signal delay their lane
/// (an M/G/1 lane, and the opposing red queue clearing first; counted as they cross). Signals run fixed time,
/// max-pressure or Webster retiming; a dark or flashing junction is an all-way stop serving one vehicle per headway,
/// opposing approaches together. State is flat arrays (struct of arrays), so <see cref="Fork"/> is a handful of array
/// copies and a step touches each link once.
/// </summary>
public sealed class TrafficSimulation
{
    private const int MaxPhases = 8;
    private const byte FixedTime = 0, MaxPressure = 1, WebsterRetiming = 2, AllWayStop = 3;

    private readonly RoadNetwork net;
    private readonly TrafficOptions options;
    private Assignment assignment;
    private int time;

    // Vehicles in transit: slot-major ring, ring[(second & ringMask) × links + link] = vehicles reaching the queue then.
    private readonly int ringMask;
    /// <summary>Free-flow time in whole seconds (at least 1), as MATSim's QSim counts it; queue time, the delay, is unaffected.</summary>
    private readonly int[] travelSeconds;
    private readonly double[] ring;
    private readonly double[] queue;
    /// <summary>
    /// The queue of each link by where its vehicles turn next (per movement of the assignment, summing to the link's
    /// queue): a full next link holds back only the vehicles bound for it, as the lanes of a real approach do.
    /// </summary>
    private double[] turnQueue;
    /// <summary>Storage left on each link: storage − moving − queued. Kept as one number because it is read on every move.</summary>
    private readonly double[] room;
    // Link statistics, cumulative except the window maximum.
    private readonly double[] queueSeconds, departed, joined, maxQueue, windowMaxQueue;
    // Origins.
    private readonly double[] sourceQueue, sourceQueueSeconds, hazard, threshold;
    private readonly long[] draws;
    private int[] origins;
    private double entered, completed;

    // Signals, per intersection (phases at i × MaxPhases + k). greenMask covers every node; fringe nodes never need it.
    private readonly SignalPlan[] plans;
    private readonly ControlMode[] modes;
    private readonly bool[] detection;
    private readonly byte[] control, greenMask, phaseMask;
    private readonly int[] phaseCount, green, minGreen, maxGreen, lost, allRed;
    /// <summary>Seconds until the controller next acts (end of a stage, or a max-pressure decision).</summary>
    private readonly int[] stageLeft;
    private readonly int[] phase, nextPhase, greenStart, lastRetime;
    private readonly bool[] inGreen;
    private readonly double[] joinedAtRetime;
    private int[] stopControlled;
    /// <summary>Seconds each vehicle crossing a link's signal loses beyond its wait in the point queue: to left turns yielding and to moving among others (<see cref="ConflictDelays"/>).</summary>
    private readonly double[] conflictDelay;

    public TrafficSimulation(RoadNetwork network, Assignment assignment, TrafficOptions? options = null)
    {
        net = network;
        this.assignment = assignment;
        this.options = options ?? new TrafficOptions();
        if (this.options.AllWayStopHeadwaySeconds <= 0 || this.options.AllWayStopPenaltySeconds < 0 || this.options.MovingLossSecondsPerVehPerHour < 0
            || this.options.MaxPressureDecisionSeconds < 1 || this.options.RetimeIntervalSeconds < 1)
            throw new ArgumentOutOfRangeException(nameof(options), "Headway, decision and retiming intervals must be positive, the moving loss not negative.");
        int links = network.LinkCount, nodes = network.NodeCount, n = network.IntersectionCount;

        travelSeconds = new int[links];
        var longest = 1;
        for (var l = 0; l < links; l++)
        {
            travelSeconds[l] = Math.Max(1, (int)Math.Round(network.FreeFlowSeconds[l]));
            longest = Math.Max(longest, travelSeconds[l]);
        }
        var slots = (int)BitOperations.RoundUpToPowerOf2((uint)longest + 1);
        ringMask = slots - 1;
        ring = new double[slots * links];
        queue = new double[links];
        turnQueue = new double[assignment.Moves.Length];
        room = (double[])network.Storage.Clone();
        queueSeconds = new double[links];
        departed = new double[links];
        joined = new double[links];
        maxQueue = new double[links];
        windowMaxQueue = new double[links];
        joinedAtRetime = new double[links];

        sourceQueue = new double[nodes];
        sourceQueueSeconds = new double[nodes];
        hazard = new double[nodes];
        threshold = new double[nodes];
        draws = new long[nodes];
        for (var o = 0; o < nodes; o++) threshold[o] = Exponential(o, draws[o]++);
        origins = assignment.OriginNodes;

        plans = new SignalPlan[n];
        modes = new ControlMode[n];
        detection = new bool[n];
        control = new byte[n];
        greenMask = new byte[nodes];
        greenMask.AsSpan(n).Fill(0xFF);
        phaseMask = new byte[n * MaxPhases];
        phaseCount = new int[n];
        green = new int[n * MaxPhases];
        minGreen = new int[n * MaxPhases];
        maxGreen = new int[n * MaxPhases];
        lost = new int[n];
        allRed = new int[n];
        stageLeft = new int[n];
        phase = new int[n];
        nextPhase = new int[n];
        greenStart = new int[n];
        lastRetime = new int[n];
        inGreen = new bool[n];
        stopControlled = [];
        for (var i = 0; i < n; i++)
        {
            modes[i] = network.Modes[i];
            detection[i] = true;
            Compile(i, network.Plans[i]);
            control[i] = ControlFor(i);
            Restart(i);
        }
        ListStopControlled();
        conflictDelay = new double[links];
        for (var i = 0; i < n; i++) ConflictDelays(i);
    }

    /// <summary>A copy of this run's state, to go on differently; network and assignment are shared (both immutable).</summary>
    public TrafficSimulation Fork() => new(this);

    private TrafficSimulation(TrafficSimulation s)
    {
        (net, options, assignment, time, ringMask, travelSeconds) = (s.net, s.options, s.assignment, s.time, s.ringMask, s.travelSeconds);
        (ring, queue, room, turnQueue) = (Copy(s.ring), Copy(s.queue), Copy(s.room), Copy(s.turnQueue));
        (queueSeconds, departed, joined, maxQueue, windowMaxQueue) = (Copy(s.queueSeconds), Copy(s.departed), Copy(s.joined), Copy(s.maxQueue), Copy(s.windowMaxQueue));
        (sourceQueue, sourceQueueSeconds, hazard, threshold, draws, origins) = (Copy(s.sourceQueue), Copy(s.sourceQueueSeconds), Copy(s.hazard), Copy(s.threshold), Copy(s.draws), s.origins);
        (entered, completed) = (s.entered, s.completed);
        (plans, modes, detection, control, greenMask, phaseMask) = (Copy(s.plans), Copy(s.modes), Copy(s.detection), Copy(s.control), Copy(s.greenMask), Copy(s.phaseMask));
        (phaseCount, green, minGreen, maxGreen, lost, allRed) = (Copy(s.phaseCount), Copy(s.green), Copy(s.minGreen), Copy(s.maxGreen), Copy(s.lost), Copy(s.allRed));
        (stageLeft, phase, nextPhase, greenStart, lastRetime, inGreen) = (Copy(s.stageLeft), Copy(s.phase), Copy(s.nextPhase), Copy(s.greenStart), Copy(s.lastRetime), Copy(s.inGreen));
        (joinedAtRetime, stopControlled, conflictDelay) = (Copy(s.joinedAtRetime), s.stopControlled, Copy(s.conflictDelay));
    }

    private static T[] Copy<T>(T[] a) => (T[])a.Clone();

    public RoadNetwork Network => net;
    public Assignment Assignment => assignment;
    public TrafficOptions Options => options;
    /// <summary>Seconds simulated so far.</summary>
    public int Time => time;
    public double VehiclesEntered => entered;
    public double VehiclesCompleted => completed;

    /// <summary>Vehicles on links (moving or queued) and waiting at their origin to enter.</summary>
    public double VehiclesInNetwork
    {
        get
        {
            double total = 0;
            for (var l = 0; l < room.Length; l++) total += net.Storage[l] - room[l];
            foreach (var q in sourceQueue) total += q;
            return total;
        }
    }

    /// <summary>Vehicle-seconds queued, on links and at origins.</summary>
    public double TotalDelaySeconds => queueSeconds.Sum() + sourceQueueSeconds.Sum();

    public TrafficSummary Summary()
    {
        var max = 0.0;
        for (var l = 0; l < maxQueue.Length; l++) max = Math.Max(max, Math.Max(maxQueue[l], windowMaxQueue[l]));
        var delay = TotalDelaySeconds;
        return new(time, entered, completed, VehiclesInNetwork, delay, completed > 0 ? delay / completed : 0, max);
    }

    /// <summary>Queue, delay and throughput of one approach of an intersection (summed over its links).</summary>
    public ApproachResult ApproachResult(int intersection, Approach approach)
    {
        double q = 0, max = 0, seconds = 0, through = 0;
        for (var k = net.InStart[intersection]; k < net.InStart[intersection + 1]; k++)
        {
            var l = net.In[k];
            if (net.ApproachAt[l] != (int)approach) continue;
            (q, max, seconds, through) = (q + queue[l], max + Math.Max(maxQueue[l], windowMaxQueue[l]), seconds + queueSeconds[l], through + departed[l]);
        }
        return new(q, max, through > 0 ? seconds / through : 0, through);
    }

    /// <summary>Mean control delay of the vehicles that crossed an intersection: its approaches' delays, weighted by their throughputs.</summary>
    public double IntersectionDelaySeconds(int intersection)
    {
        double seconds = 0, through = 0;
        foreach (var approach in Enum.GetValues<Approach>())
        {
            var r = ApproachResult(intersection, approach);
            (seconds, through) = (seconds + r.MeanDelaySeconds * r.Throughput, through + r.Throughput);
        }
        return through > 0 ? seconds / through : 0;
    }

    /// <summary>Vehicles on a link, moving and queued.</summary>
    public double LinkOccupancy(int link) => net.Storage[link] - room[link];
    public double LinkQueueVehicles(int link) => queue[link];

    public ControlMode Mode(int intersection) => modes[intersection];
    /// <summary>Whether the intersection is being run as an all-way stop (dark, flashing, or no plan).</summary>
    public bool IsStopControlled(int intersection) => control[intersection] == AllWayStop;
    /// <summary>Whether an adaptive intersection is adapting (it runs its fixed plan while its detection is lost).</summary>
    public bool IsAdapting(int intersection) => control[intersection] is MaxPressure or WebsterRetiming;
    public SignalPlan Plan(int intersection) => plans[intersection];
    /// <summary>Whether the intersection's detection (cameras and feed) is available to adaptive control.</summary>
    public bool HasDetection(int intersection) => detection[intersection];

    // Per-link views for the scenario runner.
    internal ReadOnlySpan<double> LinkQueueSeconds => queueSeconds;
    internal ReadOnlySpan<double> LinkDeparted => departed;
    internal ReadOnlySpan<double> LinkWindowMaxQueue => windowMaxQueue;
    internal ReadOnlySpan<double> SourceQueueSeconds => sourceQueueSeconds;

    /// <summary>Starts a new window for the per-window maximum queue (the overall maximum keeps counting).</summary>
    internal void ResetWindow()
    {
        for (var l = 0; l < maxQueue.Length; l++)
            if (windowMaxQueue[l] > maxQueue[l]) maxQueue[l] = windowMaxQueue[l];
        Array.Clear(windowMaxQueue);
    }

    /// <summary>Sets the control mode (a fault turns a junction dark; recovery brings its mode back).</summary>
    public void SetMode(int intersection, ControlMode mode)
    {
        modes[intersection] = mode;
        Reconsider(intersection);
    }

    /// <summary>Adaptive control needs its detection (cameras and their feed); without it the controller runs its fixed plan.</summary>
    public void SetDetection(int intersection, bool available)
    {
        detection[intersection] = available;
        Reconsider(intersection);
    }

    /// <summary>
    /// A new signal plan, taking effect at once. A fixed-time junction keeps its place on the common cycle clock (every
    /// junction's cycle counts from second 0, as they all start), as a coordinated controller changes plans without
    /// losing its offset: restarting it from its first phase now shifted it against its neighbours, and that alone cost
    /// a green wave's junction 20–40 s of delay whatever the new greens were. Others start the plan from its first phase.
    /// </summary>
    public void SetPlan(int intersection, SignalPlan plan)
    {
        Compile(intersection, plan);
        ConflictDelays(intersection);
        Reconsider(intersection);
        if (control[intersection] == FixedTime) Align(intersection);
        else if (control[intersection] != AllWayStop) Restart(intersection);
    }

    /// <summary>The compiled plan's cycle: every green and its lost time, and the all-red.</summary>
    private int CycleSeconds(int i)
    {
        var cycle = allRed[i];
        for (var k = 0; k < phaseCount[i]; k++) cycle += green[i * MaxPhases + k] + lost[i];
        return cycle;
    }

    /// <summary>Puts a fixed-time junction where its plan would be now had it run since second 0.</summary>
    private void Align(int i)
    {
        var n = phaseCount[i];
        var at = (int)(time % Math.Max(1, CycleSeconds(i)));
        lastRetime[i] = time;
        for (var k = net.InStart[i]; k < net.InStart[i + 1]; k++) joinedAtRetime[net.In[k]] = joined[net.In[k]];
        for (var k = 0; k < n; k++)
        {
            var g = green[i * MaxPhases + k];
            if (at < g)
            {
                (phase[i], inGreen[i], greenStart[i], stageLeft[i]) = (k, true, time - at, g - at);
                Show(i);
                return;
            }
            at -= g;
            var between = lost[i] + (k == n - 1 ? allRed[i] : 0);
            if (at < between)
            {
                (phase[i], nextPhase[i], inGreen[i], stageLeft[i]) = (k, k == n - 1 ? 0 : k + 1, false, between - at);
                Show(i);
                return;
            }
            at -= between;
        }
        Restart(i);
    }

    /// <summary>New demand (for instance scaled): origin rates and turning shares from now on.</summary>
    public void SetAssignment(Assignment next)
    {
        // The vehicles queued keep their next link where the new demand still uses that movement; the rest are shared
        // out by the new turning shares.
        var queues = new double[next.Moves.Length];
        for (var l = 0; l < queue.Length; l++)
        {
            var unplaced = 0.0;
            for (var m = assignment.MoveStart[l]; m < assignment.MoveStart[l + 1]; m++)
            {
                var placed = false;
                for (var n = next.MoveStart[l]; n < next.MoveStart[l + 1] && !placed; n++)
                    if (next.Moves[n].Target == assignment.Moves[m].Target) (queues[n], placed) = (queues[n] + turnQueue[m], true);
                if (!placed) unplaced += turnQueue[m];
            }
            for (var n = next.MoveStart[l]; n < next.MoveStart[l + 1]; n++) queues[n] += unplaced * next.Moves[n].Share;
        }
        turnQueue = queues;
        assignment = next;
        for (var i = 0; i < net.IntersectionCount; i++) ConflictDelays(i);
        // Vehicles still waiting at an origin the new demand no longer uses must be let in all the same.
        var list = new SortedSet<int>(next.OriginNodes);
        for (var o = 0; o < sourceQueue.Length; o++) if (sourceQueue[o] > 0) list.Add(o);
        origins = [.. list];
    }

    /// <summary>Simulates <paramref name="seconds"/> steps.</summary>
    public void Run(int seconds, CancellationToken cancellationToken = default)
    {
        for (var s = 0; s < seconds; s++)
        {
            if ((s & 255) == 0) cancellationToken.ThrowIfCancellationRequested();
            Step();
        }
    }

    /// <summary>Runs on until fewer than <paramref name="threshold"/> vehicles remain, or for at most <paramref name="maxSeconds"/>; returns the seconds run.</summary>
    public int RunUntilEmpty(int maxSeconds, double threshold = 0.5, CancellationToken cancellationToken = default)
    {
        var run = 0;
        while (run < maxSeconds && VehiclesInNetwork >= threshold)
        {
            var chunk = Math.Min(60, maxSeconds - run);
            Run(chunk, cancellationToken);
            run += chunk;
        }
        return run;
    }

    /// <summary>One second: trips start, vehicles reach queue ends, queues discharge, signals advance.</summary>
    public void Step()
    {
        Sources();
        Links();
        foreach (var i in stopControlled) StopControlled(i);
        var left = stageLeft;
        for (var i = 0; i < left.Length; i++)
            if (--left[i] == 0) Advance(i);
        time++;
    }

    private void Sources()
    {
        var a = assignment;
        var demand = time < options.DemandSeconds;
        var poisson = options.Arrivals == ArrivalProcess.Poisson;
        var capacity = net.CapacityPerSecond;
        foreach (var o in origins)
        {
            var rate = demand ? a.OriginRate[o] : 0;
            var q = sourceQueue[o];
            if (rate > 0)
            {
                double arrivals;
                if (poisson)
                {
                    arrivals = 0;
                    hazard[o] += rate;
                    while (hazard[o] >= threshold[o])
                    {
                        hazard[o] -= threshold[o];
                        threshold[o] = Exponential(o, draws[o]++);
                        arrivals++;
                    }
                }
                else arrivals = rate;
                q += arrivals;
                entered += arrivals;
            }
            if (q <= 0) continue;
            var start = q;
            var first = a.SourceStart[o];
            var end = a.SourceStart[o + 1];
            if (first < end)
            {
                // Trips enter no faster than the first links take them, nor beyond the room they have.
                var send = q;
                for (var m = first; m < end; m++)
                {
                    var (b, share) = a.Sources[m];
                    var limit = Math.Min(capacity[b], room[b]) / share;
                    if (limit < send) send = limit;
                }
                if (send > 0)
                {
                    q -= send;
                    for (var m = first; m < end; m++) Enter(a.Sources[m].Target, send * a.Sources[m].Share);
                }
            }
            sourceQueue[o] = q;
            sourceQueueSeconds[o] += 0.5 * (start + q);
        }
    }

    /// <summary>The hot loop: every link once per second. Indexing is unchecked; every index comes from the network's own arrays.</summary>
    private void Links()
    {
        var a = assignment;
        var links = queue.Length;
        var rowStart = (time & ringMask) * links;
        ref var ringRef = ref MemoryMarshal.GetArrayDataReference(ring);
        ref var row = ref Unsafe.Add(ref ringRef, rowStart);
        ref var queueRef = ref MemoryMarshal.GetArrayDataReference(queue);
        ref var roomRef = ref MemoryMarshal.GetArrayDataReference(room);
        ref var sinkRef = ref MemoryMarshal.GetArrayDataReference(a.SinkFraction);
        ref var joinedRef = ref MemoryMarshal.GetArrayDataReference(joined);
        ref var secondsRef = ref MemoryMarshal.GetArrayDataReference(queueSeconds);
        ref var windowRef = ref MemoryMarshal.GetArrayDataReference(windowMaxQueue);
        ref var departedRef = ref MemoryMarshal.GetArrayDataReference(departed);
        ref var toRef = ref MemoryMarshal.GetArrayDataReference(net.To);
        ref var approachRef = ref MemoryMarshal.GetArrayDataReference(net.ApproachAt);
        ref var greenRef = ref MemoryMarshal.GetArrayDataReference(greenMask);
        ref var capacityRef = ref MemoryMarshal.GetArrayDataReference(net.CapacityPerSecond);
        ref var moveStartRef = ref MemoryMarshal.GetArrayDataReference(a.MoveStart);
        ref var movesRef = ref MemoryMarshal.GetArrayDataReference(a.Moves);
        ref var travelRef = ref MemoryMarshal.GetArrayDataReference(travelSeconds);
        ref var turnRef = ref MemoryMarshal.GetArrayDataReference(turnQueue);
        ref var conflictRef = ref MemoryMarshal.GetArrayDataReference(conflictDelay);
        var left = 0.0;
        for (var l = 0; l < links; l++)
        {
            ref var q = ref Unsafe.Add(ref queueRef, l);
            var q0 = q;
            ref var arrivingRef = ref Unsafe.Add(ref row, l);
            var arriving = arrivingRef;
            if (arriving != 0)
            {
                arrivingRef = 0;
                var leaving = arriving * Unsafe.Add(ref sinkRef, l);
                left += leaving;
                Unsafe.Add(ref roomRef, l) += leaving;
                var staying = arriving - leaving;
                Unsafe.Add(ref joinedRef, l) += staying;
                q += staying;
                int first = Unsafe.Add(ref moveStartRef, l), end = Unsafe.Add(ref moveStartRef, l + 1);
                for (var m = first; m < end; m++) Unsafe.Add(ref turnRef, m) += staying * Unsafe.Add(ref movesRef, m).Share;
            }
            if (q <= 0) continue; // nothing queued now, so nothing was before either

            ref var window = ref Unsafe.Add(ref windowRef, l);
            if (q > window) window = q;
            var node = Unsafe.Add(ref toRef, l);
            if ((Unsafe.Add(ref greenRef, node) >> Unsafe.Add(ref approachRef, l) & 1) != 0)
            {
                // The queue discharges in its mix: each movement its share of the green's flow, as far as its next link
                // has room; a movement held back holds its share of the flow (its lanes), not the others'.
                var rate = Unsafe.Add(ref capacityRef, l) / q;
                if (rate > 1) rate = 1;
                int first = Unsafe.Add(ref moveStartRef, l), end = Unsafe.Add(ref moveStartRef, l + 1);
                var total = 0.0;
                for (var m = first; m < end; m++)
                {
                    ref var waiting = ref Unsafe.Add(ref turnRef, m);
                    var vehicles = waiting * rate;
                    var b = Unsafe.Add(ref movesRef, m).Target;
                    var free = Unsafe.Add(ref roomRef, b);
                    if (free < vehicles) vehicles = free > 0 ? free : 0; // spillback
                    if (vehicles <= 0) continue;
                    waiting -= vehicles;
                    total += vehicles;
                    Unsafe.Add(ref roomRef, b) -= vehicles;
                    Unsafe.Add(ref ringRef, ((time + Unsafe.Add(ref travelRef, b)) & ringMask) * links + b) += vehicles;
                }
                if (total > 0)
                {
                    q -= total;
                    if (q < 1e-9) q = 0; // what rounding leaves behind
                    Unsafe.Add(ref departedRef, l) += total;
                    Unsafe.Add(ref secondsRef, l) += total * Unsafe.Add(ref conflictRef, l);
                    Unsafe.Add(ref roomRef, l) += total;
                }
            }
            Unsafe.Add(ref secondsRef, l) += 0.5 * (q0 + q);
        }
        completed += left;
    }

    /// <summary>
    /// An all-way stop: opposing approaches go together (north with south, east with west: their vehicles do not cross,
    /// HCM's "opposing" conflict case) and the two pairs take turns, sharing the second evenly while both have a queue.
    /// While its pair has the turn, each approach with a queue lets one vehicle go per headway; so one busy approach is
    /// served 3,600 ÷ headway veh/h, and four busy approaches twice that. The link loop has already counted these links
    /// as red; this takes the departures off again and adds each departing vehicle's stop-and-go penalty.
    /// </summary>
    private void StopControlled(int i)
    {
        var a = assignment;
        Span<double> limit = stackalloc double[8];
        Span<double> pairNeed = stackalloc double[2];
        Span<double> pairTime = stackalloc double[2];
        var headway = options.AllWayStopHeadwaySeconds;
        var start = net.InStart[i];
        var count = Math.Min(8, net.InStart[i + 1] - start);
        pairNeed.Clear();
        for (var k = 0; k < count; k++)
        {
            var l = net.In[start + k];
            limit[k] = Releasable(l);
            // The time its pair needs to let this approach's vehicles go (one per headway).
            var pair = net.ApproachAt[l] & 1;
            pairNeed[pair] = Math.Max(pairNeed[pair], limit[k] * headway);
        }
        // The second shared by the pairs with a queue; what one does not need goes to the other.
        (pairTime[0], pairTime[1]) = (Math.Min(pairNeed[0], 0.5), Math.Min(pairNeed[1], 0.5));
        var spare = 1 - pairTime[0] - pairTime[1];
        for (var p = 0; p < 2; p++) pairTime[p] += Math.Min(spare, pairNeed[p] - pairTime[p]);
        for (var k = 0; k < count; k++)
        {
            var l = net.In[start + k];
            var give = Math.Min(limit[k], pairTime[net.ApproachAt[l] & 1] / headway);
            if (give <= 0) continue;
            // Each movement in proportion to what it could release, so the total is what the turn gives.
            var (share, rate) = (give / limit[k], Math.Min(1, net.CapacityPerSecond[l] / queue[l]));
            give = 0;
            for (var m = a.MoveStart[l]; m < a.MoveStart[l + 1]; m++)
            {
                var target = a.Moves[m].Target;
                var vehicles = share * Math.Max(0, Math.Min(turnQueue[m] * rate, room[target]));
                if (vehicles <= 0) continue;
                turnQueue[m] -= vehicles;
                give += vehicles;
                Enter(target, vehicles);
            }
            queue[l] = Math.Max(0, queue[l] - give);
            queueSeconds[l] += (options.AllWayStopPenaltySeconds - 0.5) * give;
            departed[l] += give;
            room[l] += give;
        }
    }

    /// <summary>
    /// The delay a point queue moving fluid does not see at a signal: a left-turner yielding to the opposing flow holds
    /// its lane. Each approach's lane with the left turns (all of them, and its share of the vehicles going straight on)
    /// is taken as a queue served one vehicle at a time while green (M/G/1): straight on at the saturation headway, a
    /// left turn after its wait for a gap in the opposing flow (Adams' delay with the critical gap, at most the green:
    /// one that finds no gap turns as the opposing flow stops), then the follow-up time. The lane's mean wait by
    /// Pollaczek–Khinchine, less what it would be were every vehicle going straight on (the random delay the queue
    /// model has already), plus the left-turners' own gap wait, plus the lane held while the opposing red queue clears
    /// (<see cref="Blocking"/>), plus what each left-turner of the lane's red queue costs those queued behind it (the
    /// red queue starts the green as one batch, which arrivals spread over the green understate), is what the left
    /// turns cost. Flows are the assignment's, packed into the green; the lane's load is capped at 0.9 and the delay at
    /// a cycle (beyond, the lane is over a capacity the fluid's saturation flow does not know). Every approach also
    /// takes the moving loss of its street's flow (<see cref="TrafficOptions.MovingLossSecondsPerVehPerHour"/>): the
    /// fluid moves at free speed up to the stop line, where real vehicles brake and pull away around each other more
    /// often the busier the street. Counted as delay where the vehicles cross, as the all-way stop's stop-and-go
    /// penalty is, without holding them: the fluid queue carries the flows.
    /// </summary>
    private void ConflictDelays(int i)
    {
        var a = assignment;
        var cycle = CycleSeconds(i);
        Span<double> crossing = stackalloc double[4], leftShare = stackalloc double[4], rightShare = stackalloc double[4];
        Span<double> capacity = stackalloc double[4];
        Span<int> greens = stackalloc int[4];
        crossing.Clear();
        leftShare.Clear();
        rightShare.Clear();
        capacity.Clear();
        greens.Clear();
        for (var k = net.InStart[i]; k < net.InStart[i + 1]; k++)
        {
            var l = net.In[k];
            if (net.ApproachAt[l] < 0) continue;
            var through = a.LinkFlow[l] * (1 - a.SinkFraction[l]) / 3_600; // veh/s reaching the stop line
            var approach = net.ApproachAt[l];
            crossing[approach] += through;
            capacity[approach] += net.CapacityPerSecond[l];
            for (var m = a.MoveStart[l]; m < a.MoveStart[l + 1]; m++)
            {
                var turn = net.TurnOf(l, a.Moves[m].Target);
                if (turn == Turn.Left) leftShare[approach] += a.Moves[m].Share;
                else if (turn == Turn.Right) rightShare[approach] += a.Moves[m].Share;
            }
        }
        for (var approach = 0; approach < 4; approach++)
            for (var p = 0; p < phaseCount[i]; p++)
                if ((phaseMask[i * MaxPhases + p] >> approach & 1) != 0) greens[approach] += green[i * MaxPhases + p];
        var (gap, followUp) = (options.PermissiveLeftCriticalGapSeconds, options.PermissiveLeftFollowUpSeconds);
        for (var k = net.InStart[i]; k < net.InStart[i + 1]; k++)
        {
            var l = net.In[k];
            conflictDelay[l] = 0;
            var approach = net.ApproachAt[l];
            if (approach < 0 || cycle <= 0) continue;
            var greenSeconds = greens[approach];
            if (greenSeconds == 0 || crossing[approach] <= 0) continue;
            var greenShare = (double)greenSeconds / cycle;
            var lanes = net.Lanes[l];
            // Braking and pulling away among the street's other vehicles, which grows with its flow.
            var moving = options.MovingLossSecondsPerVehPerHour * a.LinkFlow[l];
            conflictDelay[l] = Math.Min(cycle, moving);
            var (pLeft, pRight) = (leftShare[approach], rightShare[approach]);
            // The left lane: every left-turner and its share of those going straight on.
            var laneShare = Math.Min(1, pLeft + (1 - pLeft - pRight) / lanes);
            if (pLeft <= 0 || laneShare <= 0) continue; // no left turn: nothing yields
            var arrivals = crossing[approach] / greenShare * laneShare; // veh/s while green
            var headway = lanes / net.CapacityPerSecond[l];
            // The opposing stream a left turn crosses: what the opposite approach sends straight on or right, packed into the green.
            var opposite = approach ^ 2;
            var opposing = crossing[opposite] * (1 - leftShare[opposite]) / greenShare;
            // At most the green: a left-turner that finds no gap turns as the opposing flow stops (a "sneaker").
            var gapWait = opposing > 0 ? Math.Min(greenSeconds, (Math.Exp(Math.Min(50, opposing * gap)) - opposing * gap - 1) / opposing) : 0;
            var leftService = followUp + gapWait;
            var leftInLane = pLeft / laneShare;
            var mean = (1 - leftInLane) * headway + leftInLane * leftService;
            // A gap wait is about as variable as it is long (exponential-like): E[S²] ≈ S² + W².
            var square = (1 - leftInLane) * headway * headway + leftInLane * (leftService * leftService + gapWait * gapWait);
            var wait = arrivals * square / (2 * (1 - Math.Min(0.9, arrivals * mean)));
            var straightOn = arrivals * headway * headway / (2 * (1 - Math.Min(0.9, arrivals * headway)));
            // The opposing queue of the red clears first, at saturation: no gap in it (HCM's g_q).
            var opposingArrivals = crossing[opposite] * (1 - leftShare[opposite]);
            var clearing = greens[opposite] == 0 ? 0 : Math.Min(greenSeconds,
                opposingArrivals * (cycle - greens[opposite]) / Math.Max(1e-9, capacity[opposite] * (1 - leftShare[opposite]) - opposingArrivals));
            // The red queue meets the green as a batch, not as arrivals spread over it (the M/G/1 above): each left-turner
            // in it holds everyone queued behind it for its extra service. A Poisson red queue N has E[N(N − 1)]/2 pairs,
            // the one ahead a left-turner with probability leftInLane.
            var (laneArrivals, red) = (crossing[approach] * laneShare, cycle - greenSeconds);
            var redQueue = laneArrivals * red;
            var batch = leftInLane * Math.Max(0, leftService - headway) * redQueue * redQueue / 2;
            var blocked = (Blocking(laneArrivals, red, leftInLane, clearing, headway) + batch) / (crossing[approach] * cycle);
            // At most a cycle: past that the lane is over its capacity, which the fluid queue's saturation flow does not know.
            conflictDelay[l] = Math.Min(cycle, moving + laneShare * (wait - straightOn) + pLeft * (leftService - headway) + blocked);
        }
    }

    /// <summary>
    /// Vehicle-seconds a cycle that a lane with left turns loses while the opposing queue clears: the lane's red queue
    /// (Poisson, mean <paramref name="laneArrivals"/> × red) goes at one per <paramref name="headway"/> until its first
    /// left-turner (each vehicle one with probability <paramref name="leftInLane"/>), which waits out what is left of
    /// <paramref name="clearing"/> with every vehicle behind it, and those that join meanwhile.
    /// </summary>
    private static double Blocking(double laneArrivals, double redSeconds, double leftInLane, double clearing, double headway)
    {
        if (clearing <= 0 || leftInLane <= 0 || laneArrivals <= 0) return 0;
        var mean = laneArrivals * Math.Max(0, redSeconds);
        // Walking j, the place of the lane's first left-turner (m = j − 1 vehicles go before it): P(N = m), P(N ≤ m),
        // and Σ_{k≤m} (m − k) P(k), which turns E[N] − m into E[(N − m)⁺], the left-turner and those behind it.
        double pN = Math.Exp(-mean), atMost = pN, shortfall = 0;
        var first = leftInLane; // P(the first left-turner is vehicle j)
        // A left-turner reaching an empty lane while the opposing queue clears waits for it too.
        var total = pN * laneArrivals * leftInLane * clearing * clearing / 2;
        for (var j = 1; (j - 1) * headway < clearing && j < 200; j++)
        {
            var m = j - 1;
            var held = clearing - m * headway;
            var behind = mean - m + shortfall;
            total += first * (held * behind + (1 - atMost) * laneArrivals * held * held / 2);
            first *= 1 - leftInLane;
            shortfall += atMost;
            pN *= mean / j;
            atMost += pN;
        }
        return total;
    }

    /// <summary>What a stop-controlled approach could let go this second at most: its queue in its mix, up to its saturation flow, as far as each next link has room.</summary>
    private double Releasable(int l)
    {
        var q = queue[l];
        if (q <= 0) return 0;
        var a = assignment;
        var rate = Math.Min(1, net.CapacityPerSecond[l] / q);
        var total = 0.0;
        for (var m = a.MoveStart[l]; m < a.MoveStart[l + 1]; m++)
            total += Math.Max(0, Math.Min(turnQueue[m] * rate, room[a.Moves[m].Target]));
        return total;
    }

    /// <summary>Vehicles enter a link now and reach its queue after its free-flow time (the link loop inlines the same).</summary>
    private void Enter(int link, double vehicles)
    {
        room[link] -= vehicles;
        ring[((time + travelSeconds[link]) & ringMask) * queue.Length + link] += vehicles;
    }

    // ---- Signals ----

    private void Compile(int i, SignalPlan plan)
    {
        plans[i] = plan;
        var n = Math.Min(MaxPhases, plan.Phases.Length);
        phaseCount[i] = n;
        lost[i] = Math.Max(0, (int)Math.Round(plan.LostTimePerPhaseSeconds));
        var used = 0;
        for (var k = 0; k < n; k++)
        {
            var p = plan.Phases[k];
            var s = i * MaxPhases + k;
            byte mask = 0;
            foreach (var a in p.Approaches) mask |= (byte)(1 << (int)a);
            phaseMask[s] = mask;
            // Whole seconds: the model steps by one second.
            green[s] = Math.Max(1, (int)Math.Round(p.GreenSeconds));
            minGreen[s] = Math.Max(1, (int)Math.Round(p.MinGreenSeconds));
            maxGreen[s] = Math.Max(minGreen[s], (int)Math.Round(p.MaxGreenSeconds));
            used += green[s] + lost[i];
        }
        allRed[i] = Math.Max(0, (int)Math.Round(plan.CycleSeconds) - used);
    }

    private byte ControlFor(int i) => phaseCount[i] == 0 ? AllWayStop : modes[i] switch
    {
        ControlMode.Dark or ControlMode.Flashing => AllWayStop,
        ControlMode.Adaptive when detection[i] => options.Adaptive == AdaptiveStrategy.MaxPressure ? MaxPressure : WebsterRetiming,
        _ => FixedTime,
    };

    /// <summary>Takes a change of mode, detection or plan into account, carrying on from the current stage where it can.</summary>
    private void Reconsider(int i)
    {
        var before = control[i];
        var now = control[i] = ControlFor(i);
        if (before == now) return;
        if (now == AllWayStop) stageLeft[i] = int.MaxValue;
        else if (before == AllWayStop) Restart(i);
        else if (inGreen[i])
        {
            // Between fixed time and max-pressure: the green goes on to what the new controller would give it.
            var elapsed = time - greenStart[i];
            var s = i * MaxPhases + phase[i];
            stageLeft[i] = Math.Max(1, (now == MaxPressure ? minGreen[s] : green[s]) - elapsed);
        }
        if ((before == AllWayStop) != (now == AllWayStop)) ListStopControlled();
        Show(i);
    }

    private void ListStopControlled()
    {
        var list = new List<int>();
        for (var i = 0; i < control.Length; i++) if (control[i] == AllWayStop) list.Add(i);
        stopControlled = [.. list];
    }

    private void Restart(int i)
    {
        phase[i] = 0;
        nextPhase[i] = 0;
        lastRetime[i] = time;
        for (var k = net.InStart[i]; k < net.InStart[i + 1]; k++) joinedAtRetime[net.In[k]] = joined[net.In[k]];
        if (control[i] == AllWayStop) { inGreen[i] = false; stageLeft[i] = int.MaxValue; Show(i); return; }
        inGreen[i] = true;
        greenStart[i] = time;
        stageLeft[i] = GreenFor(i, 0);
        Show(i);
    }

    private int GreenFor(int i, int k) => control[i] == MaxPressure ? minGreen[i * MaxPhases + k] : green[i * MaxPhases + k];

    private void Show(int i) => greenMask[i] = control[i] != AllWayStop && inGreen[i] ? phaseMask[i * MaxPhases + phase[i]] : (byte)0;

    /// <summary>The controller's countdown ran out at the end of this second: end a stage, or decide (max-pressure).</summary>
    private void Advance(int i)
    {
        if (control[i] == MaxPressure && inGreen[i])
        {
            var s = i * MaxPhases + phase[i];
            var elapsed = time + 1 - greenStart[i];
            var forced = elapsed >= maxGreen[s];
            var best = MostPressing(i, forced ? phase[i] : -1, out var bestPressure, out var current);
            if (best >= 0 && best != phase[i] && (forced || bestPressure > current)) BeginIntergreen(i, best, 0);
            else stageLeft[i] = Math.Max(1, Math.Min(options.MaxPressureDecisionSeconds, maxGreen[s] - elapsed));
        }
        else if (inGreen[i])
        {
            var last = phase[i] == phaseCount[i] - 1;
            BeginIntergreen(i, last ? 0 : phase[i] + 1, last ? allRed[i] : 0);
        }
        else
        {
            if (nextPhase[i] == 0 && control[i] == WebsterRetiming && time + 1 - lastRetime[i] >= options.RetimeIntervalSeconds) Retime(i);
            BeginGreen(i, nextPhase[i]);
        }
        Show(i);
    }

    private void BeginIntergreen(int i, int next, int extra)
    {
        nextPhase[i] = next;
        var seconds = lost[i] + extra;
        if (seconds <= 0) { BeginGreen(i, next); return; }
        inGreen[i] = false;
        stageLeft[i] = seconds;
    }

    private void BeginGreen(int i, int k)
    {
        phase[i] = k;
        inGreen[i] = true;
        greenStart[i] = time + 1;
        stageLeft[i] = GreenFor(i, k);
    }

    /// <summary>
    /// Max-pressure (Varaiya 2013): an approach link's pressure is (its queue − Σ share × queue of the next link) × its
    /// saturation flow; a phase's is the sum over its approaches. Returns the phase with the largest, skipping <paramref name="excluded"/>.
    /// </summary>
    private int MostPressing(int i, int excluded, out double bestPressure, out double currentPressure)
    {
        var a = assignment;
        Span<double> pressure = stackalloc double[MaxPhases];
        pressure.Clear();
        for (var k = net.InStart[i]; k < net.InStart[i + 1]; k++)
        {
            var l = net.In[k];
            var w = queue[l];
            for (var m = a.MoveStart[l]; m < a.MoveStart[l + 1]; m++) w -= a.Moves[m].Share * queue[a.Moves[m].Target];
            w *= net.CapacityPerSecond[l];
            var bit = 1 << net.ApproachAt[l];
            for (var p = 0; p < phaseCount[i]; p++)
                if ((phaseMask[i * MaxPhases + p] & bit) != 0) pressure[p] += w;
        }
        var best = -1;
        bestPressure = double.NegativeInfinity;
        for (var p = 0; p < phaseCount[i]; p++)
            if (p != excluded && pressure[p] > bestPressure) (best, bestPressure) = (p, pressure[p]);
        currentPressure = pressure[phase[i]];
        return best;
    }

    /// <summary>Webster retiming from the flows that joined each approach's queue since the last retiming.</summary>
    private void Retime(int i)
    {
        Span<double> flow = stackalloc double[4];
        Span<double> saturation = stackalloc double[4];
        var hours = (time + 1 - lastRetime[i]) / 3_600.0;
        for (var k = net.InStart[i]; k < net.InStart[i + 1]; k++)
        {
            var l = net.In[k];
            flow[net.ApproachAt[l]] += (joined[l] - joinedAtRetime[l]) / hours;
            saturation[net.ApproachAt[l]] += net.CapacityPerSecond[l] * 3_600;
            joinedAtRetime[l] = joined[l];
        }
        lastRetime[i] = time + 1;
        Compile(i, Webster.Retime(plans[i], flow, saturation, options.MaxCycleSeconds));
    }

    // ---- Random numbers: counter-based, so a draw depends only on (seed, origin, index), never on run order. ----

    private double Exponential(int origin, long index) => -Math.Log(Uniform(options.Seed, origin, index));

    /// <summary>SplitMix64 of the (seed, stream, index) triple, as a double in (0, 1).</summary>
    internal static double Uniform(int seed, int stream, long index)
    {
        var z = unchecked((ulong)seed * 0x9E3779B97F4A7C15UL + (ulong)stream * 0xD1B54A32D192ED03UL + (ulong)index * 0xBF58476D1CE4E5B9UL + 0x632BE59BD9B4E019UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        z ^= z >> 31;
        return ((z >> 11) + 0.5) * (1.0 / (1UL << 53));
    }
}
