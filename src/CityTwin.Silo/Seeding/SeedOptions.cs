namespace CityTwin.Silo.Seeding;

/// <summary>The synthetic city seeded into an empty twin ("Seed" configuration section).</summary>
public sealed class SeedOptions
{
    public const string Section = "Seed";

    /// <summary>About how many assets; 0 seeds nothing.</summary>
    public int Assets { get; set; } = 10_000;
    public int RandomSeed { get; set; } = 42;

    /// <summary>
    /// Silos the cluster is started with: seeding waits (up to <see cref="ClusterWait"/>) until that many are active, so
    /// the city is not imported while stream queues move to a silo that is still joining.
    /// </summary>
    public int Silos { get; set; } = 1;

    public TimeSpan ClusterWait { get; set; } = TimeSpan.FromMinutes(2);
}
