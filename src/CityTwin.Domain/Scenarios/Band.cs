namespace CityTwin.Domain.Scenarios;

/// <summary>A KPI across a sweep's runs: mean, the 5th and 95th percentiles (linear between ranks), least and most.</summary>
[GenerateSerializer, Immutable, Alias("Band")]
public sealed record Band(
    [property: Id(0)] double Mean,
    [property: Id(1)] double P5,
    [property: Id(2)] double P95,
    [property: Id(3)] double Min,
    [property: Id(4)] double Max)
{
    public static Band Of(IReadOnlyCollection<double> samples)
    {
        if (samples.Count == 0) return new(double.NaN, double.NaN, double.NaN, double.NaN, double.NaN);
        var sorted = samples.Order().ToArray();
        return new(sorted.Average(), Percentile(sorted, 0.05), Percentile(sorted, 0.95), sorted[0], sorted[^1]);
    }

    /// <summary>The <paramref name="p"/> quantile of ascending <paramref name="sorted"/>, interpolated between ranks (Hyndman–Fan type 7, as numpy's default).</summary>
    public static double Percentile(double[] sorted, double p)
    {
        var h = (sorted.Length - 1) * p;
        var lo = (int)Math.Floor(h);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }
}
