namespace CityTwin.Domain.Leo;

/// <summary>
/// Which satellite serves each ground terminal at each step, at what elevation and slant range, as flat arrays
/// indexed [terminal × Steps + step]; satellite −1 is an outage (nothing above the minimum elevation).
/// </summary>
public sealed class LinkTrack
{
    internal readonly int[] Satellite;
    internal readonly double[] ElevationDeg, RangeKm;
    internal readonly int[] Handovers; // cumulative, per terminal and step

    internal LinkTrack(int terminals, int steps, double stepSeconds, double altitudeKm)
    {
        (Terminals, Steps, StepSeconds, AltitudeKm) = (terminals, steps, stepSeconds, altitudeKm);
        Satellite = new int[terminals * steps];
        ElevationDeg = new double[terminals * steps];
        RangeKm = new double[terminals * steps];
        Handovers = new int[terminals * steps];
    }

    public int Terminals { get; }
    public int Steps { get; }
    public double StepSeconds { get; }
    public double AltitudeKm { get; }

    /// <summary>The serving satellite (−1 in an outage), its elevation and range, and the handovers so far.</summary>
    public (int Satellite, double ElevationDeg, double RangeKm, int Handovers) At(int terminal, int step)
    {
        var k = terminal * Steps + step;
        return (Satellite[k], ElevationDeg[k], RangeKm[k], Handovers[k]);
    }

    /// <summary>The link at that step under a rain rate, by the budget.</summary>
    public LinkQuality Quality(int terminal, int step, LinkBudget budget, double rainRateMmPerHour = 0)
    {
        var k = terminal * Steps + step;
        return Satellite[k] < 0 ? LinkBudget.Outage : budget.Evaluate(ElevationDeg[k], RangeKm[k], AltitudeKm, rainRateMmPerHour);
    }
}
