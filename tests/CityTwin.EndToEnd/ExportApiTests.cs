using System.IO.Compression;
using System.Net;
using System.Xml.Linq;
using CityTwin.Cli;

namespace CityTwin.EndToEnd;

/// <summary>The SUMO export through the API and the CLI: a scenario's live snapshot and demand as SUMO's plain XML files.</summary>
[Collection(ApiCollection.Name)]
public sealed class ExportApiTests(ApiFixture fixture)
{
    private HttpClient Http => fixture.Http;

    [Fact]
    public async Task A_scenario_exports_as_sumo_files_with_every_junction_and_its_demand()
    {
        var response = await Http.PostAsync("/api/exports/sumo", Json.Body(ScenarioApiTests.ExampleSpec("demand-surge.json")));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/zip", response.Content.Headers.ContentType!.MediaType);
        using var zip = new ZipArchive(await response.Content.ReadAsStreamAsync());
        Assert.Equal(["citytwin.add.xml", "citytwin.con.xml", "citytwin.edg.xml", "citytwin.netccfg", "citytwin.nod.xml", "citytwin.rou.xml", "citytwin.sumocfg", "citytwin.tll.xml"],
            zip.Entries.Select(e => e.Name).Order(StringComparer.Ordinal));
        XElement Root(string name) { using var s = zip.GetEntry(name)!.Open(); return XDocument.Load(s).Root!; }
        var nodes = Root("citytwin.nod.xml").Elements("node").Select(n => (string)n.Attribute("id")!).ToHashSet();
        Assert.All(fixture.City.Assets.Where(a => a.Type == AssetType.Intersection), i => Assert.Contains(i.Id, nodes));
        Assert.NotEmpty(Root("citytwin.rou.xml").Elements("flow"));
        Assert.NotEmpty(Root("citytwin.tll.xml").Elements("tlLogic"));
    }

    [Fact]
    public async Task A_bad_spec_is_a_400_and_the_cli_writes_the_files_where_asked()
    {
        var bad = await Http.PostAsync("/api/exports/sumo", Json.Body("""{ "name": "x", "snapshotId": "d99", "start": "2026-11-30T16:00:00Z" }"""));
        Assert.Equal(["snapshotId"], Json.ErrorFields(await Json.AssertProblemAsync(bad, 400, "validation")));

        var dir = Directory.CreateTempSubdirectory("citytwin-cli-").FullName;
        var spec = Path.Combine(dir, "spec.json");
        await File.WriteAllTextAsync(spec, ScenarioApiTests.ExampleSpec("controller-fault.json"));
        using StringWriter stdout = new(), stderr = new();
        var code = await CliProgram.RunAsync(["sumo", "export", spec, "--out", Path.Combine(dir, "sumo"), "--api", Http.BaseAddress!.ToString(), "--key", fixture.Twin.Admin.Key], stdout, stderr);

        Assert.True(code == CliProgram.Ok, stderr.ToString());
        Assert.True(File.Exists(Path.Combine(dir, "sumo", "citytwin.sumocfg")));
        Assert.Contains("netconvert -c citytwin.netccfg", stdout.ToString());
    }
}
