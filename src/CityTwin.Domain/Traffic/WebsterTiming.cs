namespace CityTwin.Domain.Traffic;

/// <summary>
/// A Webster timing: the cycle actually used, the effective green per phase (same order as the input), the sum of
/// critical flow ratios Y, and Webster's unclamped optimum C₀ (+∞ when Y ≥ 1).
/// </summary>
public sealed record WebsterTiming(double CycleSeconds, double[] GreenSeconds, double FlowRatioSum, double OptimalCycleSeconds)
{
    /// <summary>Webster's formula is not valid as Y approaches 0.9–0.95 (MODELS.md); the cycle is then just the maximum.</summary>
    public bool NearSaturation => FlowRatioSum >= Webster.NearSaturationFlowRatio;
}
