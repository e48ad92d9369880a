namespace CityTwin.Domain.Assets;

/// <summary>How a signal controller runs its intersection (FIWARE TrafficSignal-like).</summary>
public enum ControlMode
{
    Adaptive,
    FixedTime,
    Flashing,
    Dark,
}
