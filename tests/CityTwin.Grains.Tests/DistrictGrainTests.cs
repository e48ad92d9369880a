using CityTwin.Contracts.Assets;
using CityTwin.Contracts.City;
using CityTwin.Contracts.Districts;
using CityTwin.Contracts.Import;

namespace CityTwin.Grains.Tests;

[Collection(ClusterCollection.Name)]
public sealed class DistrictGrainTests(ClusterFixture fixture)
{
    private IAssetGrain Asset(string id) => fixture.Client.GetGrain<IAssetGrain>(id);
    private IDistrictGrain District(string id) => fixture.Client.GetGrain<IDistrictGrain>(id);

    [Fact]
    public async Task A_district_counts_its_assets_by_type_and_status()
    {
        var district = TestAssets.NewId("d");
        var poles = Enumerable.Range(0, 3).Select(_ => TestAssets.Pole(district: district)).ToArray();
        var link = TestAssets.Link(district: district);
        foreach (var a in poles.Append(link)) await Asset(a.Id).UpsertAsync(a);

        await Asset(poles[0].Id).SetStatusAsync(AssetStatus.Faulted);
        var view = await Eventually.Until(() => District(district).GetAsync(null, 10),
            v => v.Total == 4 && v.Counts.Contains(new StatusCount(AssetType.Pole, AssetStatus.Faulted, 1)));

        Assert.Equal(4, view.Total);
        Assert.Contains(new StatusCount(AssetType.Pole, AssetStatus.Operational, 2), view.Counts);
        Assert.Contains(new StatusCount(AssetType.Pole, AssetStatus.Faulted, 1), view.Counts);
        Assert.Contains(new StatusCount(AssetType.Link, AssetStatus.Operational, 1), view.Counts);
        Assert.Contains(district, await fixture.Client.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync());
    }

    [Fact]
    public async Task Asking_for_a_district_that_has_no_assets_does_not_make_the_city_list_it()
    {
        var unknown = TestAssets.NewId("d");
        var view = await District(unknown).GetAsync(null, 10); // activates it, as a query for a mistyped id would

        Assert.Equal(0, view.Total);
        await Task.Delay(TimeSpan.FromSeconds(1)); // four report intervals
        var city = fixture.Client.GetGrain<ICityGrain>(ICityGrain.Key);
        Assert.DoesNotContain(unknown, await city.GetDistrictsAsync());
        Assert.DoesNotContain((await city.GetStatsAsync())!.Districts, r => r.District == unknown); // what /api/stats shows
    }

    [Fact]
    public async Task An_asset_that_moves_leaves_its_old_district()
    {
        var from = TestAssets.NewId("d");
        var to = TestAssets.NewId("d");
        var pole = TestAssets.Pole(district: from);
        var other = TestAssets.Pole(district: from);
        await Asset(pole.Id).UpsertAsync(pole);
        await Asset(other.Id).UpsertAsync(other);

        await Asset(pole.Id).UpsertAsync(pole with { District = to });

        var old = await Eventually.Until(() => District(from).GetAsync(null, 10), v => v.Total == 1 && v.Assets[0].Id == other.Id);
        Assert.Equal(other.Id, Assert.Single(old.Assets).Id);
        var moved = await Eventually.Until(() => District(to).GetAsync(null, 10), v => v.Total == 1);
        Assert.Equal(pole.Id, Assert.Single(moved.Assets).Id);
    }

    [Fact]
    public async Task Pages_follow_id_order_and_cover_every_asset_once()
    {
        var district = TestAssets.NewId("d");
        var poles = Enumerable.Range(0, 25).Select(_ => TestAssets.Pole(district: district)).ToArray();
        await fixture.Client.GetGrain<IImportGrain>(0).ApplyAsync(poles);
        await Eventually.Until(() => District(district).GetAsync(null, 0), v => v.Total == poles.Length);

        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var page = await District(district).GetAsync(cursor, 10);
            Assert.True(page.Assets.Length <= 10);
            seen.AddRange(page.Assets.Select(a => a.Id));
            cursor = page.NextCursor;
        } while (cursor is not null);

        Assert.Equal(poles.Select(p => p.Id).Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Importing_the_same_batch_twice_changes_nothing_the_second_time()
    {
        var district = TestAssets.NewId("d");
        var batch = Enumerable.Range(0, 20).Select(_ => TestAssets.Pole(district: district)).ToArray();
        var import = fixture.Client.GetGrain<IImportGrain>(0);

        var first = await import.ApplyAsync(batch);
        var second = await import.ApplyAsync(batch);

        Assert.Equal(new ImportCounts(20, 0, 0), first);
        Assert.Equal(new ImportCounts(0, 0, 20), second);
        Assert.All(batch, a => Assert.Equal(1, fixture.Assets.WritesOf(Asset(a.Id).GetPrimaryKeyString())));
    }
}
