namespace CityTwin.Domain.Assets;

/// <summary>One phase of a signal plan: the approaches it serves and its green time.</summary>
[GenerateSerializer, Alias("SignalPhase")]
public sealed record SignalPhase
{
    [Id(0)] public string Name { get; init; } = "";
    [Id(1)] public Approach[] Approaches { get; init; } = [];
    [Id(2)] public double GreenSeconds { get; init; }
    [Id(3)] public double MinGreenSeconds { get; init; } = 7;
    [Id(4)] public double MaxGreenSeconds { get; init; } = 90;
}
