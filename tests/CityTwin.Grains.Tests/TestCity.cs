using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Import;

namespace CityTwin.Grains.Tests;

/// <summary>
/// A small district of its own: one LEO link serving two poles, an intersection and the two cameras that watch its
/// north and east approaches; the poles on feeder 1, the rest on feeder 2.
/// </summary>
internal sealed record TestCity(string District, Asset Link, Asset[] Poles, Asset Intersection, Asset[] Cameras, string Feeder1, string Feeder2)
{
    public IEnumerable<Asset> Dependents => Poles.Append(Intersection).Concat(Cameras);

    public static async Task<TestCity> CreateAsync(IGrainFactory grains)
    {
        var district = TestAssets.NewId("d");
        var (feeder1, feeder2) = ($"feeder-{district}-1", $"feeder-{district}-2");
        var link = TestAssets.Link(district: district);
        var intersection = TestAssets.Intersection(district: district, link: link.Id, feeder: feeder2);
        var poles = new[] { TestAssets.Pole(district: district, link: link.Id, feeder: feeder1), TestAssets.Pole(district: district, link: link.Id, feeder: feeder1) };
        var cameras = new[]
        {
            TestAssets.Camera(intersection.Id, Approach.North, district, link.Id, feeder2),
            TestAssets.Camera(intersection.Id, Approach.East, district, link.Id, feeder2),
        };
        // Dependencies first, as an import sends them.
        Asset[] assets = [link, intersection, .. poles, .. cameras];
        await grains.GetGrain<IImportGrain>(0).ApplyAsync(assets);
        var city = new TestCity(district, link, poles, intersection, cameras, feeder1, feeder2);
        // The intersection runs adaptive once both cameras have reported in.
        await Eventually.Until(() => city.Get(grains, intersection.Id), a => a.Intersection!.Cameras.Length == 2);
        // The city learns a district from the district's first report (at most every Twin:DistrictReportInterval):
        // a scenario that names the district needs it known.
        await Eventually.Until(() => grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync(), d => d.Contains(district));
        // A scenario's snapshot of the district is what the district holds: its assets reach it over their stream, and
        // one that has not yet would be an unknown target (a CI run started a scenario before the link had).
        await Eventually.Until(() => grains.GetGrain<IDistrictGrain>(district).GetAsync(null, 0), v => v.Counts.Sum(c => c.Count) == assets.Length);
        // The district's copy of the intersection hears of its cameras over the stream, after the grain: counts the
        // district applies at once find the cameras there only then (a CI run counted into a copy without them).
        await Eventually.Until(() => grains.GetGrain<IDistrictGrain>(district).LiveOfAsync(intersection.Id), l => l.Asset?.Intersection?.Cameras.Length == 2);
        return city;
    }

    public async Task<Asset> Get(IGrainFactory grains, string id) => (await grains.GetGrain<IAssetGrain>(id).GetAsync())!;
}
