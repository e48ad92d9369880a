using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Traffic;

/// <summary>
/// Webster's optimal fixed-time settings (Webster 1958, Road Research Technical Paper 39; MODELS.md):
/// C₀ = (1.5 L + 5) / (1 − Y) with Y = Σ yᵢ, yᵢ = qᵢ / sᵢ over the critical movement of each phase and L the total lost
/// time; greens gᵢ = (yᵢ / Y)(C − L). The cycle is clamped to [L + Σ min greens, max cycle] and each green to its
/// phase's [min, max], the rest of C − L shared again in proportion to yᵢ.
/// </summary>
public static class Webster
{
    public const double DefaultMinGreenSeconds = 7;
    public const double DefaultMaxGreenSeconds = 90;
    public const double DefaultMaxCycleSeconds = 120;
    /// <summary>The shortest cycle a plan may have (<see cref="Validation.SignalPlanValidator"/>).</summary>
    public const double DefaultMinCycleSeconds = 30;
    /// <summary>Above this Y the formula's cycle explodes (MODELS.md: invalid as Y → 0.9–0.95).</summary>
    public const double NearSaturationFlowRatio = 0.9;

    /// <summary>C₀ = (1.5 L + 5) / (1 − Y); +∞ when Y ≥ 1.</summary>
    public static double OptimalCycle(double totalLostTimeSeconds, double flowRatioSum) =>
        flowRatioSum >= 1 ? double.PositiveInfinity : (1.5 * totalLostTimeSeconds + 5) / (1 - flowRatioSum);

    /// <summary>
    /// Green time per phase from the critical flow of each phase and its saturation flow (any one unit for both,
    /// e.g. veh/h), with the same lost time per phase. This is the call for retiming from camera counts.
    /// </summary>
    public static double[] GreenTimes(
        ReadOnlySpan<double> criticalFlows, ReadOnlySpan<double> saturationFlows, double lostTimePerPhaseSeconds,
        double minGreenSeconds = DefaultMinGreenSeconds, double maxGreenSeconds = DefaultMaxGreenSeconds,
        double maxCycleSeconds = DefaultMaxCycleSeconds, double minCycleSeconds = DefaultMinCycleSeconds) =>
        Timing(criticalFlows, saturationFlows, lostTimePerPhaseSeconds, minGreenSeconds, maxGreenSeconds, maxCycleSeconds, minCycleSeconds).GreenSeconds;

    /// <summary>As <see cref="GreenTimes"/>, also returning the cycle, Y and the unclamped C₀.</summary>
    public static WebsterTiming Timing(
        ReadOnlySpan<double> criticalFlows, ReadOnlySpan<double> saturationFlows, double lostTimePerPhaseSeconds,
        double minGreenSeconds = DefaultMinGreenSeconds, double maxGreenSeconds = DefaultMaxGreenSeconds,
        double maxCycleSeconds = DefaultMaxCycleSeconds, double minCycleSeconds = DefaultMinCycleSeconds)
    {
        var n = criticalFlows.Length;
        Span<double> min = n <= 16 ? stackalloc double[n] : new double[n];
        Span<double> max = n <= 16 ? stackalloc double[n] : new double[n];
        min.Fill(minGreenSeconds);
        max.Fill(maxGreenSeconds);
        return Timing(criticalFlows, saturationFlows, lostTimePerPhaseSeconds, min, max, maxCycleSeconds, minCycleSeconds);
    }

    /// <summary>With a min and max green per phase.</summary>
    public static WebsterTiming Timing(
        ReadOnlySpan<double> criticalFlows, ReadOnlySpan<double> saturationFlows, double lostTimePerPhaseSeconds,
        ReadOnlySpan<double> minGreenSeconds, ReadOnlySpan<double> maxGreenSeconds, double maxCycleSeconds,
        double minCycleSeconds = DefaultMinCycleSeconds)
    {
        var n = criticalFlows.Length;
        if (n == 0) throw new ArgumentException("At least one phase is needed.", nameof(criticalFlows));
        if (saturationFlows.Length != n || minGreenSeconds.Length != n || maxGreenSeconds.Length != n)
            throw new ArgumentException("Flows, saturation flows and green limits need one value per phase.", nameof(saturationFlows));
        if (lostTimePerPhaseSeconds < 0) throw new ArgumentOutOfRangeException(nameof(lostTimePerPhaseSeconds));

        var y = new double[n];
        double flowRatioSum = 0, minGreens = 0, maxGreens = 0;
        for (var i = 0; i < n; i++)
        {
            if (!(saturationFlows[i] > 0)) throw new ArgumentOutOfRangeException(nameof(saturationFlows), "Saturation flows must be positive.");
            if (!(criticalFlows[i] >= 0)) throw new ArgumentOutOfRangeException(nameof(criticalFlows), "Flows must be zero or positive.");
            if (!(minGreenSeconds[i] >= 0) || maxGreenSeconds[i] < minGreenSeconds[i])
                throw new ArgumentOutOfRangeException(nameof(minGreenSeconds), "Each phase needs 0 ≤ min green ≤ max green.");
            y[i] = criticalFlows[i] / saturationFlows[i];
            flowRatioSum += y[i];
            minGreens += minGreenSeconds[i];
            maxGreens += maxGreenSeconds[i];
        }

        var lost = n * lostTimePerPhaseSeconds;
        var optimal = OptimalCycle(lost, flowRatioSum);
        // The greens must fit between their limits: that bounds the cycle from both sides, and wins over max cycle.
        var cycle = Math.Clamp(Math.Clamp(optimal, minCycleSeconds, maxCycleSeconds), lost + minGreens, Math.Max(lost + minGreens, lost + maxGreens));
        var greens = Split(y, flowRatioSum, cycle - lost, minGreenSeconds, maxGreenSeconds);
        // The limits can leave the split short of C − L (every phase pinned); the cycle is then what the greens add up to.
        var total = lost;
        foreach (var g in greens) total += g;
        return new WebsterTiming(Math.Abs(total - cycle) < 1e-9 ? cycle : total, greens, flowRatioSum, optimal);
    }

    /// <summary>
    /// Retimes a plan from measured flows per approach (indexed by <see cref="Approach"/>, veh/h) and the saturation
    /// flow of each approach (veh/h, all lanes): a phase's critical ratio is the largest q/s among its approaches.
    /// Phase order, names, approaches and limits are kept; the cycle stays within 30–120 s unless told otherwise.
    /// </summary>
    public static SignalPlan Retime(SignalPlan plan, ReadOnlySpan<double> approachFlows, ReadOnlySpan<double> approachSaturationFlows,
        double maxCycleSeconds = DefaultMaxCycleSeconds, double minCycleSeconds = DefaultMinCycleSeconds)
    {
        if (approachFlows.Length != 4 || approachSaturationFlows.Length != 4)
            throw new ArgumentException("One flow and one saturation flow per approach (north, east, south, west).");
        var n = plan.Phases.Length;
        var q = new double[n];
        var s = new double[n];
        var min = new double[n];
        var max = new double[n];
        for (var k = 0; k < n; k++)
        {
            var phase = plan.Phases[k];
            (q[k], s[k], min[k], max[k]) = (0, 1, phase.MinGreenSeconds, phase.MaxGreenSeconds);
            var critical = -1.0;
            foreach (var a in phase.Approaches)
            {
                var sat = approachSaturationFlows[(int)a];
                if (!(sat > 0)) continue; // an approach without lanes does not constrain the phase
                var ratio = approachFlows[(int)a] / sat;
                if (ratio > critical) (critical, q[k], s[k]) = (ratio, approachFlows[(int)a], sat);
            }
        }
        var timing = Timing(q, s, plan.LostTimePerPhaseSeconds, min, max, maxCycleSeconds, minCycleSeconds);
        var phases = new SignalPhase[n];
        for (var k = 0; k < n; k++) phases[k] = plan.Phases[k] with { GreenSeconds = timing.GreenSeconds[k] };
        return plan with { CycleSeconds = timing.CycleSeconds, Phases = phases };
    }

    /// <summary>Shares the effective green in proportion to y, clamping to the limits and re-sharing what the clamped phases leave.</summary>
    private static double[] Split(double[] y, double flowRatioSum, double effectiveGreen, ReadOnlySpan<double> min, ReadOnlySpan<double> max)
    {
        var n = y.Length;
        var greens = new double[n];
        var fixedPhase = new bool[n];
        // With no flow at all every phase weighs the same.
        var weight = flowRatioSum > 0 ? y : Enumerable.Repeat(1.0, n).ToArray();
        for (var round = 0; round <= n; round++)
        {
            double left = effectiveGreen, weights = 0;
            for (var i = 0; i < n; i++)
                if (fixedPhase[i]) left -= greens[i]; else weights += weight[i];
            var changed = false;
            for (var i = 0; i < n; i++)
            {
                if (fixedPhase[i]) continue;
                greens[i] = weights > 0 ? weight[i] / weights * left : left / n;
                if (greens[i] < min[i]) (greens[i], fixedPhase[i], changed) = (min[i], true, true);
                else if (greens[i] > max[i]) (greens[i], fixedPhase[i], changed) = (max[i], true, true);
            }
            if (!changed) break;
        }
        return greens;
    }
}
