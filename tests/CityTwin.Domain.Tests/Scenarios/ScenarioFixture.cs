using CityTwin.Domain.City;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Domain.Tests.Scenarios;

/// <summary>A small generated city frozen once for the scenario tests, and a spec on it at a winter evening peak (lights on).</summary>
internal static class ScenarioFixture
{
    public static readonly Lazy<GeneratedCity> City = new(() => CityGenerator.Generate(new CitySpec { TargetAssets = 1_500, Seed = 8 }));
    public static readonly Lazy<TwinSnapshot> Snapshot = new(() => TwinSnapshot.FromAssets(City.Value.Assets));

    public static ScenarioSpec Spec(params Perturbation[] perturbations) => new()
    {
        Name = "test",
        SnapshotId = "snap-1",
        Start = new DateTimeOffset(2026, 1, 15, 16, 30, 0, TimeSpan.Zero),
        HorizonSeconds = 1_800,
        IntervalSeconds = 300,
        WarmUpSeconds = 300,
        Seed = 4,
        Demand = new DemandSpec { TripsPerHourPerIntersection = 40 },
        Perturbations = perturbations,
    };

    public static IEnumerable<Asset> Of(AssetType type) => City.Value.Assets.Where(a => a.Type == type);
}
