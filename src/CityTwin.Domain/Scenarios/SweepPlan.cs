using System.Globalization;
using System.Text.RegularExpressions;

namespace CityTwin.Domain.Scenarios;

/// <summary>A sweep's runs: every value of its range (or none) × every seed, in that order; pure and deterministic.</summary>
public static partial class SweepPlan
{
    public const string DemandScale = "demand.scale";
    public const string DemandTrips = "demand.tripsPerHourPerIntersection";

    /// <summary>The range's values, From first; the last is To when the steps land on it (within rounding).</summary>
    public static double[] Values(SweepRange range)
    {
        var count = Count(range);
        return Enumerable.Range(0, count).Select(k => Math.Round(range.From + k * range.Step, 9)).ToArray();
    }

    /// <summary>How many values the range has; 0 when it is not a range (a step ≤ 0, To before From, not finite).</summary>
    public static int Count(SweepRange range)
    {
        if (!double.IsFinite(range.From) || !double.IsFinite(range.To) || !double.IsFinite(range.Step) || range.Step <= 0 || range.To < range.From) return 0;
        var steps = Math.Floor((range.To - range.From) / range.Step + 1e-9);
        return steps >= SweepSpec.MaxRuns ? SweepSpec.MaxRuns + 1 : (int)steps + 1;
    }

    public static SweepRun[] Expand(SweepSpec sweep)
    {
        var scenario = sweep.Scenario ?? throw new ArgumentException("The sweep has no scenario.", nameof(sweep));
        double?[] values = sweep.Range is { } range ? [.. Values(range).Select(v => (double?)v)] : [null];
        var runs = new SweepRun[values.Length * sweep.Seeds];
        for (var p = 0; p < values.Length; p++)
        {
            var at = values[p] is { } v ? With(scenario, sweep.Range!.Parameter, v) : scenario;
            for (var s = 0; s < sweep.Seeds; s++)
            {
                var seed = unchecked(scenario.Seed + s);
                var index = p * sweep.Seeds + s;
                runs[index] = new SweepRun(index, values[p], seed, at with { Seed = seed, Name = Label(scenario.Name, sweep.Range?.Parameter, values[p], seed) });
            }
        }
        return runs;
    }

    /// <summary>The scenario with the parameter set to <paramref name="value"/>.</summary>
    /// <exception cref="ArgumentException">The parameter is not one a sweep can step (see <see cref="SweepValidator"/>).</exception>
    public static ScenarioSpec With(ScenarioSpec scenario, string parameter, double value)
    {
        if (parameter == DemandScale) return scenario with { Demand = scenario.Demand with { Scale = value } };
        if (parameter == DemandTrips) return scenario with { Demand = scenario.Demand with { TripsPerHourPerIntersection = value } };
        if (Perturbation(parameter) is not var (index, field) || index >= scenario.Perturbations.Length)
            throw new ArgumentException($"'{parameter}' is not a parameter a sweep can step.", nameof(parameter));
        var perturbations = (Perturbation[])scenario.Perturbations.Clone();
        perturbations[index] = field == "factor" ? perturbations[index] with { Factor = value } : perturbations[index] with { RainRateMmPerHour = value };
        return scenario with { Perturbations = perturbations };
    }

    /// <summary>The perturbation's index and field of <c>perturbations[i].factor</c> or <c>perturbations[i].rainRateMmPerHour</c>; null otherwise.</summary>
    public static (int Index, string Field)? Perturbation(string parameter) =>
        PerturbationParameter().Match(parameter) is { Success: true } m && int.TryParse(m.Groups[1].ValueSpan, NumberStyles.None, CultureInfo.InvariantCulture, out var i)
            ? (i, m.Groups[2].Value) : null;

    private static string Label(string name, string? parameter, double? value, int seed) =>
        value is { } v ? $"{name} [{parameter}={v.ToString(CultureInfo.InvariantCulture)}, seed {seed}]" : $"{name} [seed {seed}]";

    [GeneratedRegex(@"^perturbations\[(\d{1,4})\]\.(factor|rainRateMmPerHour)$")]
    private static partial Regex PerturbationParameter();
}
