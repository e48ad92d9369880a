namespace CityTwin.Domain.Assets;

/// <summary>A fixed-cycle signal plan (FIWARE <c>TrafficSignal</c>-like).</summary>
[GenerateSerializer, Alias("SignalPlan")]
public sealed record SignalPlan
{
    [Id(0)] public double CycleSeconds { get; init; } = 90;
    /// <summary>Start-up plus clearance lost time per phase (≈ 4 s, MODELS.md).</summary>
    [Id(1)] public double LostTimePerPhaseSeconds { get; init; } = 4;
    [Id(2)] public SignalPhase[] Phases { get; init; } = [];

    /// <summary>The same plan field by field (a record compares its phase array by reference).</summary>
    public bool SameAs(SignalPlan? other) =>
        other is not null && CycleSeconds == other.CycleSeconds && LostTimePerPhaseSeconds == other.LostTimePerPhaseSeconds
        && Phases.Length == other.Phases.Length
        && Phases.Zip(other.Phases).All(p => p.First.Name == p.Second.Name && p.First.Approaches.SequenceEqual(p.Second.Approaches)
            && p.First.GreenSeconds == p.Second.GreenSeconds && p.First.MinGreenSeconds == p.Second.MinGreenSeconds && p.First.MaxGreenSeconds == p.Second.MaxGreenSeconds);

    /// <summary>The usual two-phase plan: north–south then east–west, green split evenly.</summary>
    public static SignalPlan TwoPhase(double cycleSeconds = 90, double lostTimePerPhase = 4)
    {
        var green = (cycleSeconds - 2 * lostTimePerPhase) / 2;
        return new SignalPlan
        {
            CycleSeconds = cycleSeconds,
            LostTimePerPhaseSeconds = lostTimePerPhase,
            Phases =
            [
                new SignalPhase { Name = "NS", Approaches = [Approach.North, Approach.South], GreenSeconds = green },
                new SignalPhase { Name = "EW", Approaches = [Approach.East, Approach.West], GreenSeconds = green },
            ],
        };
    }
}
