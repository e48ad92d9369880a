namespace CityTwin.Silo.Seeding;

/// <summary>The synthetic city seeded into an empty twin ("Seed" configuration section).</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>About how many assets; 0 seeds nothing.</summary>
    public int Assets { get; set; } = 10_000;
    public int RandomSeed { get; set; } = 42;
}
