namespace CityTwin.Domain.Leo;

/// <summary>A ground terminal's link: margin ≥ the degraded threshold, between it and 0 dB, or below 0 (or no satellite).</summary>
[GenerateSerializer, Alias("LinkStatus")]
public enum LinkStatus
{
    Up,
    Degraded,
    Down,
}
