namespace CityTwin.Domain.Traffic;

/// <summary>What an intersection in <see cref="Assets.ControlMode.Adaptive"/> does while its detection works.</summary>
[GenerateSerializer, Alias("AdaptiveStrategy")]
public enum AdaptiveStrategy
{
    /// <summary>Max-pressure with a minimum green (Varaiya 2013): green to the phase with the largest Σ (queue in − queue out).</summary>
    MaxPressure,
    /// <summary>A fixed-time plan retimed with <see cref="Webster"/> from the flows measured since the last retiming.</summary>
    WebsterRetiming,
}
