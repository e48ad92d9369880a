namespace CityTwin.Domain.Scenarios;

/// <summary>How far a run has got: simulated seconds of the horizon (baseline and variant both).</summary>
public readonly record struct ScenarioProgress(int SimulatedSeconds, int HorizonSeconds)
{
    public double Fraction => HorizonSeconds == 0 ? 1 : (double)SimulatedSeconds / HorizonSeconds;
}
