using System.Globalization;
using System.Xml;
using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Traffic;

/// <summary>
/// A road network, its signal plans and its demand as SUMO plain XML, so engineers can cross-check the twin with the
/// reference microscopic simulator (SUMO 1.15, Debian's <c>sumo</c>): nodes, edges, connections, the fixed-time
/// programs and origin–destination flows, plus a <c>netconvert</c> and a <c>sumo</c> configuration:
/// <code>netconvert -c citytwin.netccfg &amp;&amp; sumo -c citytwin.sumocfg</code>
/// What maps to what: every node at its position (metres), signalised intersections as <c>traffic_light</c> with a
/// static program, dark or flashing ones as all-way stops; every link an edge with its lanes, speed and length; every
/// movement but U-turns a connection (right turns from the rightmost lane, left turns from the leftmost, straight on
/// from every lane); each phase of a plan green for its approaches' movements (left turns permissive, <c>g</c>), then its
/// lost time as 3 s amber and the rest all-red, the plan's slack all-red at the end of the cycle, every cycle counted
/// from second 0 as the twin's; each origin–destination pair a flow between junctions with random (binomial, per
/// second) arrivals, routed by SUMO at insertion. Adaptive control has no SUMO counterpart: its plan runs fixed.
/// </summary>
public static class SumoExport
{
    public const string Prefix = "citytwin";
    public const double AmberSeconds = 3;

    /// <summary>Writes the files into <paramref name="directory"/> (created if missing); returns their paths.</summary>
    /// <param name="demandSeconds">How long the flows run from second 0; SUMO then runs until every vehicle has arrived.</param>
    /// <param name="dark">Intersections whose controller is out (the twin's controller fault): all-way stops.</param>
    public static IReadOnlyList<string> Write(RoadNetwork network, OdMatrix demand, string directory, int demandSeconds = 3_600, int seed = 42,
        IReadOnlySet<int>? dark = null)
    {
        bool Signalised(int node) => SumoExport.Signalised(network, node) && dark?.Contains(node) != true;
        Directory.CreateDirectory(directory);
        var files = new List<string>();
        string Open(string name, Action<XmlWriter> body)
        {
            var path = Path.Combine(directory, $"{Prefix}.{name}");
            using (var xml = XmlWriter.Create(path, new XmlWriterSettings { Indent = true, Encoding = new System.Text.UTF8Encoding(false) })) body(xml);
            files.Add(path);
            return path;
        }
        var movements = Movements(network);
        // A movement's link index at its signal: its place among its junction's movements, in list order.
        var linkIndex = new Dictionary<Movement, int>();
        foreach (var group in movements.GroupBy(m => m.Node))
        {
            var k = 0;
            foreach (var m in group) linkIndex[m] = k++;
        }

        Open("nod.xml", x =>
        {
            x.WriteStartElement("nodes");
            for (var n = 0; n < network.NodeCount; n++)
            {
                x.WriteStartElement("node");
                x.WriteAttributeString("id", network.NodeIds[n]);
                x.WriteAttributeString("x", F(network.NodeX[n]));
                x.WriteAttributeString("y", F(network.NodeY[n]));
                if (Signalised(n))
                {
                    x.WriteAttributeString("type", "traffic_light");
                    x.WriteAttributeString("tl", network.NodeIds[n]);
                }
                else x.WriteAttributeString("type", n < network.IntersectionCount ? "allway_stop" : "priority");
                x.WriteEndElement();
            }
            x.WriteEndElement();
        });

        Open("edg.xml", x =>
        {
            x.WriteStartElement("edges");
            for (var l = 0; l < network.LinkCount; l++)
            {
                x.WriteStartElement("edge");
                x.WriteAttributeString("id", EdgeId(network, l));
                x.WriteAttributeString("from", network.NodeIds[network.From[l]]);
                x.WriteAttributeString("to", network.NodeIds[network.To[l]]);
                x.WriteAttributeString("numLanes", network.Lanes[l].ToString(CultureInfo.InvariantCulture));
                x.WriteAttributeString("speed", F(network.FreeSpeedMps[l]));
                x.WriteAttributeString("length", F(network.LengthM[l]));
                x.WriteEndElement();
            }
            x.WriteEndElement();
        });

        Open("con.xml", x =>
        {
            x.WriteStartElement("connections");
            foreach (var m in movements) Connection(x, network, m, null);
            x.WriteEndElement();
        });

        Open("tll.xml", x =>
        {
            x.WriteStartElement("tlLogics");
            foreach (var group in movements.Where(m => Signalised(m.Node)).GroupBy(m => m.Node))
            {
                var links = group.ToArray();
                x.WriteStartElement("tlLogic");
                x.WriteAttributeString("id", network.NodeIds[group.Key]);
                x.WriteAttributeString("type", "static");
                x.WriteAttributeString("programID", "0");
                x.WriteAttributeString("offset", "0");
                foreach (var (duration, state) in Program(network.Plans[group.Key], links.Select(l => (l.Approach, l.Turn)).ToArray()))
                {
                    x.WriteStartElement("phase");
                    x.WriteAttributeString("duration", duration.ToString(CultureInfo.InvariantCulture));
                    x.WriteAttributeString("state", state);
                    x.WriteEndElement();
                }
                x.WriteEndElement();
            }
            foreach (var m in movements.Where(m => Signalised(m.Node))) Connection(x, network, m, linkIndex[m]);
            x.WriteEndElement();
        });

        Open("rou.xml", x =>
        {
            x.WriteStartElement("routes");
            x.WriteStartElement("vType");
            x.WriteAttributeString("id", "car");
            x.WriteAttributeString("vClass", "passenger");
            x.WriteEndElement();
            var id = 0;
            for (var k = 0; k < demand.Count; k++)
            {
                var (origin, destination, perHour) = demand[k];
                // A flow's probability is per second (≤ 1): a pair above 3,600 veh/h becomes several flows.
                for (var rest = perHour; rest > 1e-9; rest -= 3_600)
                {
                    x.WriteStartElement("flow");
                    x.WriteAttributeString("id", $"f{id++}");
                    x.WriteAttributeString("type", "car");
                    x.WriteAttributeString("fromJunction", network.NodeIds[origin]);
                    x.WriteAttributeString("toJunction", network.NodeIds[destination]);
                    x.WriteAttributeString("begin", "0");
                    x.WriteAttributeString("end", demandSeconds.ToString(CultureInfo.InvariantCulture));
                    x.WriteAttributeString("probability", (Math.Min(3_600, rest) / 3_600).ToString("0.##########", CultureInfo.InvariantCulture));
                    x.WriteAttributeString("departLane", "best");
                    x.WriteAttributeString("departSpeed", "max");
                    x.WriteEndElement();
                }
            }
            x.WriteEndElement();
        });

        Open("add.xml", x =>
        {
            // Per-edge totals over the run (vehicles in and out, time lost, waiting): delays at chosen junctions.
            x.WriteStartElement("additional");
            x.WriteStartElement("edgeData");
            x.WriteAttributeString("id", "edges");
            x.WriteAttributeString("file", $"{Prefix}.edges.xml");
            x.WriteAttributeString("excludeEmpty", "true");
            x.WriteEndElement();
            x.WriteEndElement();
        });

        Open("netccfg", x =>
        {
            x.WriteStartElement("configuration");
            x.WriteStartElement("input");
            foreach (var (option, file) in new[] { ("node-files", "nod.xml"), ("edge-files", "edg.xml"), ("connection-files", "con.xml"), ("tllogic-files", "tll.xml") })
                Value(x, option, $"{Prefix}.{file}");
            x.WriteEndElement();
            x.WriteStartElement("output");
            Value(x, "output-file", $"{Prefix}.net.xml");
            x.WriteEndElement();
            x.WriteStartElement("processing");
            Value(x, "no-turnarounds", "true");
            x.WriteEndElement();
            x.WriteEndElement();
        });

        Open("sumocfg", x =>
        {
            x.WriteStartElement("configuration");
            x.WriteStartElement("input");
            Value(x, "net-file", $"{Prefix}.net.xml");
            Value(x, "route-files", $"{Prefix}.rou.xml");
            Value(x, "additional-files", $"{Prefix}.add.xml");
            x.WriteEndElement();
            x.WriteStartElement("time");
            Value(x, "begin", "0"); // no end: SUMO runs until every vehicle has arrived, as the twin's clearance
            x.WriteEndElement();
            x.WriteStartElement("processing");
            Value(x, "junction-taz", "true");
            Value(x, "time-to-teleport", "300");
            x.WriteEndElement();
            x.WriteStartElement("report");
            Value(x, "duration-log.statistics", "true");
            Value(x, "no-step-log", "true");
            x.WriteEndElement();
            x.WriteStartElement("output");
            Value(x, "statistic-output", $"{Prefix}.stats.xml");
            x.WriteEndElement();
            x.WriteStartElement("random_number");
            Value(x, "seed", seed.ToString(CultureInfo.InvariantCulture));
            x.WriteEndElement();
            x.WriteEndElement();
        });
        return files;
    }

    /// <summary>
    /// A scenario's network (its snapshot's) and demand (synthetic or estimated from the twin's counts, scaled as the spec
    /// says) as SUMO files: the baseline, without the perturbations; the demand runs over the warm-up and the horizon.
    /// </summary>
    public static IReadOnlyList<string> Write(Scenarios.ScenarioSpec spec, Scenarios.TwinSnapshot snapshot, string directory)
    {
        var run = new Scenarios.ScenarioRun(spec, snapshot, Leo.Constellation.StarlinkShell, Leo.LinkBudget.Default, null, CancellationToken.None);
        var dark = Enumerable.Range(0, snapshot.IntersectionCount).Where(i => snapshot.IntersectionFault[i])
            .Select(i => run.Network.NodeIndex(snapshot.IntersectionIds[i])).Where(n => n >= 0).ToHashSet(); // faulted controllers: all-way stops
        return Write(run.Network, run.Demand, directory, spec.WarmUpSeconds + spec.HorizonSeconds, spec.Seed, dark);
    }

    /// <summary>The SUMO program of a plan: per phase its green, amber and all-red, in the twin's whole seconds.</summary>
    public static IEnumerable<(int Duration, string State)> Program(SignalPlan plan, (Approach Approach, Turn Turn)[] links)
    {
        var n = plan.Phases.Length;
        var greens = plan.Phases.Select(p => Math.Max(1, (int)Math.Round(p.GreenSeconds))).ToArray();
        var lost = Math.Max(0, (int)Math.Round(plan.LostTimePerPhaseSeconds));
        var slack = Math.Max(0, (int)Math.Round(plan.CycleSeconds) - greens.Sum() - n * lost);
        var red = new string('r', links.Length);
        for (var k = 0; k < n; k++)
        {
            var served = plan.Phases[k].Approaches.ToHashSet();
            var green = string.Concat(links.Select(l => !served.Contains(l.Approach) ? 'r' : l.Turn == Turn.Left ? 'g' : 'G'));
            yield return (greens[k], green);
            var amber = Math.Min(lost, (int)AmberSeconds);
            if (amber > 0) yield return (amber, string.Concat(green.Select(c => c == 'r' ? 'r' : 'y')));
            var allRed = lost - amber + (k == n - 1 ? slack : 0);
            if (allRed > 0) yield return (allRed, red);
        }
    }

    private readonly record struct Movement(int Node, int In, int Out, Approach Approach, Turn Turn, int FromLane, int ToLane);

    /// <summary>Every movement through every intersection but U-turns, with its lanes, in a fixed order (its link index at a signal).</summary>
    private static List<Movement> Movements(RoadNetwork network)
    {
        var list = new List<Movement>();
        for (var i = 0; i < network.IntersectionCount; i++)
            for (var a = network.InStart[i]; a < network.InStart[i + 1]; a++)
            {
                var inLink = network.In[a];
                if (network.LinkApproach(inLink) is not { } approach) continue;
                var u = network.From[inLink];
                for (var b = network.OutStart[i]; b < network.OutStart[i + 1]; b++)
                {
                    var outLink = network.Out[b];
                    var w = network.To[outLink];
                    if (w == u) continue; // no U-turns: the twin has none
                    var turn = network.TurnOf(inLink, outLink);
                    if (turn == Turn.Back) continue;
                    int lanesIn = network.Lanes[inLink], lanesOut = network.Lanes[outLink];
                    switch (turn)
                    {
                        case Turn.Right: list.Add(new(i, inLink, outLink, approach, turn, 0, 0)); break;
                        case Turn.Left: list.Add(new(i, inLink, outLink, approach, turn, lanesIn - 1, lanesOut - 1)); break;
                        default:
                            for (var lane = 0; lane < lanesIn; lane++) list.Add(new(i, inLink, outLink, approach, turn, lane, Math.Min(lane, lanesOut - 1)));
                            break;
                    }
                }
            }
        return list;
    }

    private static void Connection(XmlWriter x, RoadNetwork network, Movement m, int? linkIndex)
    {
        x.WriteStartElement("connection");
        x.WriteAttributeString("from", EdgeId(network, m.In));
        x.WriteAttributeString("to", EdgeId(network, m.Out));
        x.WriteAttributeString("fromLane", m.FromLane.ToString(CultureInfo.InvariantCulture));
        x.WriteAttributeString("toLane", m.ToLane.ToString(CultureInfo.InvariantCulture));
        if (linkIndex is { } index)
        {
            x.WriteAttributeString("tl", network.NodeIds[m.Node]);
            x.WriteAttributeString("linkIndex", index.ToString(CultureInfo.InvariantCulture));
        }
        x.WriteEndElement();
    }

    private static bool Signalised(RoadNetwork network, int node) =>
        node < network.IntersectionCount && network.Modes[node] is not (ControlMode.Dark or ControlMode.Flashing) && network.Plans[node].Phases.Length > 0;

    /// <summary>The SUMO edge a link becomes: "from_to" by node ids.</summary>
    public static string EdgeId(RoadNetwork network, int link) => $"{network.NodeIds[network.From[link]]}_{network.NodeIds[network.To[link]]}";

    private static void Value(XmlWriter x, string option, string value)
    {
        x.WriteStartElement(option);
        x.WriteAttributeString("value", value);
        x.WriteEndElement();
    }

    private static string F(double value) => value.ToString("0.###", CultureInfo.InvariantCulture);
}
