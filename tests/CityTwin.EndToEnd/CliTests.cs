using System.Text.Json.Nodes;
using CityTwin.Cli;

namespace CityTwin.EndToEnd;

[Collection(ApiCollection.Name)]
public sealed class CliTests(ApiFixture fixture)
{
    private string Api => fixture.Http.BaseAddress!.ToString();

    /// <summary>The CLI as an engineer runs it, with the deployment's key.</summary>
    private Task<(int Code, string Out, string Err)> RunAsync(params string[] args) => RunWithoutKeyAsync([.. args, "--key", fixture.Twin.Admin.Key]);

    private static async Task<(int Code, string Out, string Err)> RunWithoutKeyAsync(params string[] args)
    {
        using StringWriter stdout = new(), stderr = new();
        var code = await CliProgram.RunAsync(args, stdout, stderr);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Without_a_key_the_cli_is_refused_and_says_why()
    {
        var (code, _, stderr) = await RunWithoutKeyAsync("scenario", "show", "scn-nope", "--api", Api);
        Assert.Equal(CliProgram.Refused, code);
        Assert.Contains("401", stderr);
    }

    [Fact]
    public async Task Scenario_run_shows_progress_and_prints_the_comparison_then_show_prints_it_again()
    {
        var spec = Path.Combine(Directory.CreateTempSubdirectory("citytwin-cli-").FullName, "spec.json");
        await File.WriteAllTextAsync(spec, ScenarioApiTests.ExampleSpec("controller-fault.json"));

        var (code, stdout, stderr) = await RunAsync("scenario", "run", spec, "--api", Api);

        Assert.True(code == CliProgram.Ok, stderr + stdout);
        Assert.Contains("100 %", stderr);
        Assert.Contains("completed", stdout);
        Assert.Contains("mean delay (s)", stdout);
        Assert.Contains("int-0001", stdout);
        var id = stderr.Split(' ', '\n').First(w => w.StartsWith("scn-", StringComparison.Ordinal));

        var shown = await RunAsync("scenario", "show", id, "--api", Api);
        Assert.Equal(CliProgram.Ok, shown.Code);
        Assert.Contains("mean delay (s)", shown.Out);
    }

    [Fact]
    public async Task Sweep_run_shows_progress_and_prints_each_points_bands_then_show_prints_them_again()
    {
        var sweep = JsonNode.Parse(File.ReadAllText(SweepApiTests.ExamplePath("evening-surge-bands.json")))!;
        sweep["seeds"] = 3;
        var spec = Path.Combine(Directory.CreateTempSubdirectory("citytwin-cli-").FullName, "sweep.json");
        await File.WriteAllTextAsync(spec, sweep.ToJsonString());

        var (code, stdout, stderr) = await RunAsync("sweep", "run", spec, "--api", Api);

        Assert.True(code == CliProgram.Ok, stderr + stdout);
        Assert.Contains("100 %", stderr);
        Assert.Contains("runs: 9 completed, 0 failed of 9", stdout);
        Assert.Contains("demand.scale = 1.2 (3 runs)   mean [5 %, 95 %]", stdout);
        Assert.Equal(3, stdout.Split('\n').Count(l => l.StartsWith("mean delay (s)", StringComparison.Ordinal)));
        var id = stderr.Split(' ', '\n').First(w => w.StartsWith("swp-", StringComparison.Ordinal));

        var shown = await RunAsync("sweep", "show", id, "--api", Api);
        Assert.Equal(CliProgram.Ok, shown.Code);
        Assert.Contains("demand.scale = 1.4 (3 runs)", shown.Out);
    }

    [Fact]
    public async Task Optimise_run_prints_the_delay_under_each_plan_and_a_refused_revert_says_why()
    {
        var junctions = fixture.City.Assets.Where(a => a.Type == AssetType.Intersection).Take(2).Select(a => a.Id).ToArray();
        var spec = Path.Combine(Directory.CreateTempSubdirectory("citytwin-cli-").FullName, "optimise.json");
        await File.WriteAllTextAsync(spec, new JsonObject
        {
            ["name"] = "two junctions",
            ["maxEvaluations"] = 6,
            ["intersectionIds"] = new JsonArray([.. junctions.Select(j => (JsonNode)j)]),
            ["scenario"] = new JsonObject { ["name"] = "peak", ["snapshotId"] = "d01", ["start"] = "2026-11-30T16:00:00Z", ["horizonSeconds"] = 1800, ["warmUpSeconds"] = 300 },
        }.ToJsonString());

        var (code, stdout, stderr) = await RunAsync("optimise", "run", spec, "--api", Api);

        Assert.True(code == CliProgram.Ok, stderr + stdout);
        Assert.Contains("100 %", stderr);
        Assert.Contains("mean delay at the junctions (s/veh): current", stdout);
        Assert.Contains("saved on 3 seeds the search never saw", stdout);
        Assert.Contains(junctions[1], stdout);
        var id = stderr.Split(' ', '\n').First(w => w.StartsWith("opt-", StringComparison.Ordinal));
        var shown = await RunAsync("optimise", "show", id, "--api", Api);
        Assert.Equal(CliProgram.Ok, shown.Code);
        var refused = await RunAsync("optimise", "revert", id, "--api", Api); // nothing applied: nothing to revert
        Assert.Equal(CliProgram.Refused, refused.Code);
        Assert.Contains("409", refused.Err);
    }

    [Fact]
    public async Task A_perturbation_that_changes_nothing_is_said_before_the_table_of_zeros()
    {
        var spec = Path.Combine(Directory.CreateTempSubdirectory("citytwin-cli-").FullName, "no-op.json");
        var noOp = JsonNode.Parse(ScenarioApiTests.ExampleSpec("controller-fault.json"))!;
        noOp["perturbations"] = JsonNode.Parse("""[{ "kind": "demandFactor", "factor": 1, "atSeconds": 0 }]""");
        await File.WriteAllTextAsync(spec, noOp.ToJsonString());

        var (code, stdout, stderr) = await RunAsync("scenario", "run", spec, "--api", Api);

        Assert.True(code == CliProgram.Ok, stderr + stdout);
        var table = stdout[stdout.IndexOf("note:", StringComparison.Ordinal)..];
        Assert.StartsWith("note: Perturbation 1 (demandFactor) changes nothing: a demand factor of 1 leaves demand as it is.", table);
        Assert.Contains("note: The variant's KPIs equal the baseline's", table);
        Assert.True(table.IndexOf("note: The variant", StringComparison.Ordinal) < table.IndexOf("mean delay (s)", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Snapshots_are_saved_listed_and_deleted_from_the_cli()
    {
        var saved = await RunAsync("snapshot", "save", "cli-frozen", "--source", "d01", "--api", Api);
        Assert.True(saved.Code == CliProgram.Ok, saved.Err);
        Assert.StartsWith("cli-frozen", saved.Out);
        Assert.Contains("of d01", saved.Out);

        var listed = await RunAsync("snapshot", "list", "--api", Api);
        Assert.Equal(CliProgram.Ok, listed.Code);
        Assert.Contains(listed.Out.Split('\n'), l => l.StartsWith("cli-frozen ", StringComparison.Ordinal));

        var again = await RunAsync("snapshot", "save", "cli-frozen", "--source", "d01", "--api", Api);
        Assert.Equal(CliProgram.Refused, again.Code);
        Assert.Contains("409", again.Err);

        Assert.Equal(CliProgram.Ok, (await RunAsync("snapshot", "delete", "cli-frozen", "--api", Api)).Code);
        var gone = await RunAsync("snapshot", "delete", "cli-frozen", "--api", Api);
        Assert.Equal(CliProgram.Refused, gone.Code);
        Assert.Contains("404", gone.Err);
        Assert.Equal(CliProgram.Usage, (await RunAsync("snapshot", "freeze", "x", "--api", Api)).Code);
    }

    [Fact]
    public async Task Failures_give_a_non_zero_exit_code_with_the_problem_on_stderr()
    {
        var spec = Path.Combine(Directory.CreateTempSubdirectory("citytwin-cli-").FullName, "bad.json");
        await File.WriteAllTextAsync(spec, """{ "name": "bad", "snapshotId": "d01", "start": "2026-11-30T16:00:00Z", "horizonSeconds": 5 }""");

        var invalid = await RunAsync("scenario", "run", spec, "--api", Api);
        Assert.Equal(CliProgram.Refused, invalid.Code);
        Assert.Contains("horizonSeconds", invalid.Err);

        Assert.Equal(CliProgram.Refused, (await RunAsync("scenario", "show", "scn-nope", "--api", Api)).Code);
        Assert.Equal(CliProgram.Usage, (await RunAsync("scenario", "fly")).Code);
        Assert.Equal(CliProgram.Usage, (await RunAsync("scenario", "run", "/no/such/file.json", "--api", Api)).Code);
    }
}
