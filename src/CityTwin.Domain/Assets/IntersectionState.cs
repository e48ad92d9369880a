namespace CityTwin.Domain.Assets;

/// <summary>Live attributes of a signalised intersection. Per-approach arrays are indexed by <see cref="Approach"/>.</summary>
[GenerateSerializer, Alias("IntersectionState")]
public sealed record IntersectionState
{
    [Id(0)] public ControlMode Mode { get; init; } = ControlMode.Adaptive;
    [Id(1)] public SignalPlan Plan { get; init; } = SignalPlan.TwoPhase();
    /// <summary>Queued vehicles per approach.</summary>
    [Id(2)] public double[] QueueLength { get; init; } = new double[4];
    /// <summary>Mean control delay per approach, seconds per vehicle.</summary>
    [Id(3)] public double[] DelaySeconds { get; init; } = new double[4];
    /// <summary>Total flow through the junction, vehicles per hour.</summary>
    [Id(4)] public double FlowVehPerHour { get; init; }
    [Id(5)] public bool ControllerFault { get; init; }
    [Id(6)] public bool Powered { get; init; } = true;
}
