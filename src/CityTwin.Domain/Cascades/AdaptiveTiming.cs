using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Cascades;

/// <summary>
/// The live controllers' control law: keep the cycle, share the effective green among phases in proportion to
/// their critical flow ratios (Webster's split rule, g_i = y_i / Y · (C − L)), within each phase's minimum and
/// maximum green. Also gives the degree of saturation of the critical movements under any plan.
/// </summary>
public static class AdaptiveTiming
{
    /// <summary>Saturation flow of an approach: 1,800 veh/h/lane (MODELS.md) × 2 lanes, the city's usual approach.</summary>
    public const double ApproachSaturationFlow = 3_600;

    /// <summary>All-way stop: one vehicle every ≈ 5 s through the whole junction (HCM worked example, MODELS.md).</summary>
    public const double AllWayStopCapacity = 3_600 / 5.0;

    /// <summary>Cameras count vehicles per one-minute interval.</summary>
    public const double CountsPerHour = 60;

    /// <summary>Vehicles per hour on each approach, from the cameras whose feed is online.</summary>
    public static double[] Flows(IEnumerable<CameraFeed> cameras)
    {
        var flows = new double[4];
        foreach (var c in cameras)
            if (c.Online) flows[(int)c.Approach] += c.VehicleCount * CountsPerHour;
        return flows;
    }

    /// <summary>The plan retimed toward the measured flows; the plan itself when there is no demand to go by.</summary>
    public static SignalPlan Retime(SignalPlan plan, double[] flows)
    {
        var phases = plan.Phases;
        if (phases.Length == 0) return plan;
        var ratios = new double[phases.Length];
        var total = 0.0;
        for (var p = 0; p < phases.Length; p++) total += ratios[p] = CriticalRatio(phases[p], flows);
        if (total <= 0) return plan;

        var effective = plan.CycleSeconds - phases.Length * plan.LostTimePerPhaseSeconds;
        var greens = new double[phases.Length];
        var fixedAt = new bool[phases.Length];
        // Proportional shares, then pin the phases that break their bounds and share the rest again (at most one pass per phase).
        for (var pass = 0; pass <= phases.Length; pass++)
        {
            var free = effective;
            var freeRatio = 0.0;
            for (var p = 0; p < phases.Length; p++)
                if (fixedAt[p]) free -= greens[p]; else freeRatio += ratios[p];
            var pinned = false;
            for (var p = 0; p < phases.Length; p++)
            {
                if (fixedAt[p]) continue;
                var g = freeRatio > 0 ? free * ratios[p] / freeRatio : free / phases.Length;
                var bounded = Math.Clamp(g, phases[p].MinGreenSeconds, phases[p].MaxGreenSeconds);
                greens[p] = bounded;
                if (bounded != g) { fixedAt[p] = true; pinned = true; }
            }
            if (!pinned) break;
        }
        var retimed = new SignalPhase[phases.Length];
        for (var p = 0; p < phases.Length; p++) retimed[p] = phases[p] with { GreenSeconds = Math.Round(greens[p], 1) };
        return plan with { Phases = retimed };
    }

    /// <summary>Flow over capacity of the critical movement of the busiest phase; under a dark or flashing controller, of the all-way stop.</summary>
    public static double DegreeOfSaturation(SignalPlan plan, double[] flows, ControlMode mode)
    {
        if (mode is ControlMode.Dark or ControlMode.Flashing) return flows.Sum() / AllWayStopCapacity;
        var worst = 0.0;
        foreach (var phase in plan.Phases)
            if (phase.GreenSeconds > 0)
                worst = Math.Max(worst, CriticalRatio(phase, flows) * plan.CycleSeconds / phase.GreenSeconds);
        return worst;
    }

    private static double CriticalRatio(SignalPhase phase, double[] flows)
    {
        var y = 0.0;
        foreach (var a in phase.Approaches) y = Math.Max(y, flows[(int)a] / ApproachSaturationFlow);
        return y;
    }
}
