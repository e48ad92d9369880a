using System.Net;

namespace CityTwin.EndToEnd;

[Collection(ApiCollection.Name)]
public sealed class DistrictApiTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_district_lists_every_one_of_its_assets_across_pages()
    {
        var district = fixture.City.Assets.GroupBy(a => a.District).OrderByDescending(g => g.Count()).First();
        var seen = new List<string>();
        string? cursor = null;
        do
        {
            var url = $"/api/districts/{district.Key}?limit=100" + (cursor is null ? "" : $"&cursor={cursor}");
            var page = await Json.ReadAsync(await Http.GetAsync(url));
            Assert.Equal(district.Count(), (int)page["total"]!);
            seen.AddRange(page["assets"]!.AsArray().Select(a => (string)a!["id"]!));
            cursor = (string?)page["nextCursor"];
        } while (cursor is not null);

        Assert.Equal(district.Select(a => a.Id).Order(StringComparer.Ordinal), seen);
    }

    [Fact]
    public async Task Counts_add_up_to_the_district_total()
    {
        var district = fixture.City.Assets[0].District;
        var page = await Json.ReadAsync(await Http.GetAsync($"/api/districts/{district}?limit=1"));
        var counts = page["counts"]!.AsArray();
        Assert.Equal((int)page["total"]!, counts.Sum(c => (int)c!["count"]!));
        Assert.Contains(counts, c => (string?)c!["type"] == "intersection");
    }

    [Fact]
    public async Task Every_district_is_listed()
    {
        var list = (await Json.ReadAsync(await Http.GetAsync("/api/districts"))).AsArray();
        Assert.Equal(fixture.City.Assets.Select(a => a.District).Distinct().Order(), list.Select(d => (string)d!["id"]!).Order());
    }

    [Fact]
    public async Task Unknown_districts_and_bad_paging_are_clear_errors()
    {
        await Json.AssertProblemAsync(await Http.GetAsync("/api/districts/d-nowhere"), 404, "not-found");
        var problem = await Json.AssertProblemAsync(await Http.GetAsync($"/api/districts/{fixture.City.Assets[0].District}?limit=0"), 400, "validation");
        Assert.Contains("limit", Json.ErrorFields(problem));
        Assert.Equal(HttpStatusCode.BadRequest, (await Http.GetAsync($"/api/districts/{fixture.City.Assets[0].District}?limit=many")).StatusCode);
    }
}
