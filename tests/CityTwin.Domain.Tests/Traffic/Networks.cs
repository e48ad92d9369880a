using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Tests.Traffic;

/// <summary>Small networks for the traffic tests.</summary>
internal static class Networks
{
    /// <summary>
    /// One signalised intersection "x" fed from the north by a long link from fringe "n" and left south to fringe "s";
    /// east and west fringes make the second phase's approaches. The plan is two-phase 90 s (41 s effective green each).
    /// </summary>
    public static RoadNetwork Isolated(int lanes = 1, double approachLengthM = 3_000, SignalPlan? plan = null, ControlMode mode = ControlMode.FixedTime)
    {
        var b = new RoadNetworkBuilder();
        var x = b.AddIntersection("x", 0, 0, "d01", plan ?? SignalPlan.TwoPhase(90, 4), mode);
        var n = b.AddFringe("n", 0, approachLengthM, "d01");
        var s = b.AddFringe("s", 0, -200, "d01");
        var e = b.AddFringe("e", 200, 0, "d01");
        var w = b.AddFringe("w", -200, 0, "d01");
        b.AddLink(n, x, approachLengthM, lanes, 50);
        b.AddLink(x, s, 200, lanes, 50);
        b.AddLink(e, x, 200, lanes, 50);
        b.AddLink(x, w, 200, lanes, 50);
        b.AddLink(w, x, 200, lanes, 50);
        b.AddLink(x, e, 200, lanes, 50);
        return b.Build();
    }

    public static OdMatrix Flow(RoadNetwork net, string from, string to, double tripsPerHour) =>
        OdMatrix.FromFlows([(net.NodeIndex(from), net.NodeIndex(to), tripsPerHour)]);
}
