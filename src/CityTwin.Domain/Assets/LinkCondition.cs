namespace CityTwin.Domain.Assets;

/// <summary>The state of a LEO backhaul link as its dependents see it.</summary>
[GenerateSerializer, Alias("LinkCondition")]
public enum LinkCondition
{
    Up,
    /// <summary>Carrying traffic with added latency or loss.</summary>
    Degraded,
    Down,
}
