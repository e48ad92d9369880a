namespace CityTwin.Domain.Scenarios;

/// <summary>
/// A sweep's outcome so far (complete once every run has one): each point's KPI bands, and the notes its runs gave
/// (a perturbation that changes nothing, …) with how many runs gave each.
/// </summary>
[GenerateSerializer, Alias("SweepResult")]
public sealed record SweepResult
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public string? Parameter { get; init; }
    [Id(2)] public int Seeds { get; init; }
    [Id(3)] public int Runs { get; init; }
    [Id(4)] public int Completed { get; init; }
    [Id(5)] public int Failed { get; init; }
    [Id(6)] public SweepPoint[] Points { get; init; } = [];
    [Id(7)] public string[] Notes { get; init; } = [];
}
