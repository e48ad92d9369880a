namespace CityTwin.Domain.Tests.Traffic;

/// <summary>HCM control delay of a signalised lane group (MODELS.md): the test oracle, d = d₁ + d₂.</summary>
internal static class Hcm
{
    /// <param name="flow">v, veh/h.</param>
    /// <param name="capacity">c = N·s·g/C, veh/h.</param>
    public static double UniformDelay(double flow, double capacity, double green, double cycle)
    {
        var x = flow / capacity;
        var gc = green / cycle;
        return 0.5 * cycle * (1 - gc) * (1 - gc) / (1 - Math.Min(1, x) * gc);
    }

    /// <summary>d₂ = 900·T·[(X − 1) + √((X − 1)² + 8·k·I·X / (c·T))], k = 0.5 (fixed time), I = 1 (isolated), T = 0.25 h.</summary>
    public static double IncrementalDelay(double flow, double capacity, double k = 0.5, double i = 1, double hours = 0.25)
    {
        var x = flow / capacity;
        return 900 * hours * (x - 1 + Math.Sqrt((x - 1) * (x - 1) + 8 * k * i * x / (capacity * hours)));
    }

    public static double ControlDelay(double flow, double capacity, double green, double cycle) =>
        UniformDelay(flow, capacity, green, cycle) + IncrementalDelay(flow, capacity);
}
