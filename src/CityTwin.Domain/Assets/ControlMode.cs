namespace CityTwin.Domain.Assets;

/// <summary>How a signal controller runs its intersection (FIWARE TrafficSignal-like).</summary>
[GenerateSerializer, Alias("ControlMode")]
public enum ControlMode
{
    Adaptive,
    FixedTime,
    Flashing,
    Dark,
}
