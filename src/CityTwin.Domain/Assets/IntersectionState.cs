namespace CityTwin.Domain.Assets;

/// <summary>Live attributes of a signalised intersection. Per-approach arrays are indexed by <see cref="Approach"/>.</summary>
[GenerateSerializer, Alias("IntersectionState")]
public sealed record IntersectionState
{
    /// <summary>The configured control strategy: adaptive or fixed time.</summary>
    [Id(0)] public ControlMode Mode { get; init; } = ControlMode.Adaptive;
    /// <summary>The configured fixed-time plan, also the fallback when adaptive control loses its cameras.</summary>
    [Id(1)] public SignalPlan Plan { get; init; } = SignalPlan.TwoPhase();
    /// <summary>Queued vehicles per approach.</summary>
    [Id(2)] public double[] QueueLength { get; init; } = new double[4];
    /// <summary>Mean control delay per approach, seconds per vehicle.</summary>
    [Id(3)] public double[] DelaySeconds { get; init; } = new double[4];
    /// <summary>Total flow through the junction, vehicles per hour.</summary>
    [Id(4)] public double FlowVehPerHour { get; init; }
    [Id(5)] public bool ControllerFault { get; init; }
    [Id(6)] public bool Powered { get; init; } = true;
    /// <summary>What the controller runs now: the configured mode, or a fallback (fixed time, flashing, dark). Derived.</summary>
    [Id(7)] public ControlMode ActiveMode { get; init; } = ControlMode.Adaptive;
    /// <summary>The plan in force: adaptive control retimes the green splits toward demand. Derived.</summary>
    [Id(8)] public SignalPlan? ActivePlan { get; init; }
    /// <summary>The last report of each camera watching this intersection.</summary>
    [Id(9)] public CameraFeed[] Cameras { get; init; } = [];
    /// <summary>Flow over capacity of the critical movements under the active plan (≥ 1: oversaturated). Derived.</summary>
    [Id(10)] public double DegreeOfSaturation { get; init; }
}
