namespace CityTwin.Domain.Traffic;

/// <summary>How trips leave their origin within the demand's rate.</summary>
[GenerateSerializer, Alias("ArrivalProcess")]
public enum ArrivalProcess
{
    /// <summary>Random (Poisson) whole vehicles, drawn from the seed: the randomness behind HCM's incremental delay d₂.</summary>
    Poisson,
    /// <summary>The rate spread evenly as a fluid, one fraction every second.</summary>
    Uniform,
}
