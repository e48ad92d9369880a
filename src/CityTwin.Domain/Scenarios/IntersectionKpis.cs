namespace CityTwin.Domain.Scenarios;

/// <summary>
/// One intersection over the horizon: mean control delay (s/veh), longest queue (vehicles), vehicles through, and the
/// same per approach (indexed north, east, south, west); seconds it spent dark (all-way stop) and without detection.
/// </summary>
[GenerateSerializer, Alias("IntersectionKpis")]
public sealed record IntersectionKpis
{
    [Id(0)] public double MeanDelaySeconds { get; init; }
    [Id(1)] public double MaxQueueVehicles { get; init; }
    [Id(2)] public double Throughput { get; init; }
    [Id(3)] public double[] ApproachDelaySeconds { get; init; } = new double[4];
    [Id(4)] public double[] ApproachMaxQueueVehicles { get; init; } = new double[4];
    [Id(5)] public double[] ApproachThroughput { get; init; } = new double[4];
    [Id(6)] public int SecondsDark { get; init; }
    [Id(7)] public int SecondsWithoutDetection { get; init; }
}
