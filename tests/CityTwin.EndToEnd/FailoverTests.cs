using CityTwin.LoadTests;
using CityTwin.Storage;
using Microsoft.Extensions.Configuration;
using Xunit.Abstractions;

namespace CityTwin.EndToEnd;

/// <summary>
/// A silo process is killed (SIGKILL) while statuses are being changed through the API: every grain it held answers
/// again from the surviving silo, and no status change the API acknowledged is lost. Separate processes, as in
/// production; the benchmark of the same scenario is `load-tests/run.sh failover`.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class FailoverTests(ITestOutputHelper output)
{
    [Fact]
    public async Task Killing_a_silo_on_postgresql_loses_no_acknowledged_status_change()
    {
        var connectionString = await PostgresDatabase.CreateFreshAsync();
        if (connectionString is null) return; // developer machine without PostgreSQL; CI always has it
        await SurvivesTheKill(new StorageOptions
        {
            Provider = StorageProvider.PostgreSql, ConnectionString = connectionString, ClusterId = $"failover-{Guid.NewGuid():N}",
        });
    }

    [Fact]
    public async Task Killing_a_silo_on_sqlite_loses_no_acknowledged_status_change()
    {
        var data = Directory.CreateTempSubdirectory("citytwin-failover-").FullName;
        try
        {
            var options = StorageOptions.FromConfiguration(new ConfigurationBuilder()
                .AddInMemoryCollection(new Dictionary<string, string?> { ["Storage:DataDirectory"] = data }).Build());
            options.ClusterId = $"failover-{Guid.NewGuid():N}";
            await SurvivesTheKill(options);
        }
        finally
        {
            Directory.Delete(data, recursive: true);
        }
    }

    private async Task SurvivesTheKill(StorageOptions storage)
    {
        var result = await FailoverRun.RunAsync(Dll("CityTwin.Silo"), Dll("CityTwin.Api"), storage, log: output.WriteLine);
        output.WriteLine(result.ToString());

        Assert.True(result.VictimGrains > 0, "the killed silo held no asset grain: nothing was tested");
        Assert.True(result.AckedWrites > 100, $"only {result.AckedWrites} status changes were acknowledged");
        Assert.Empty(result.Lost);
        Assert.Empty(result.Unanswered);
        // A write the cluster could not take is refused with a 503 (send it again), never a 500 or a hang.
        Assert.All(result.UnackedBy, refused => Assert.True(refused.Key == "503", $"{refused.Value} status changes were answered {refused.Key}"));
        // The survivor keeps its own grains: none deactivated because the dead silo held its directory entry.
        Assert.True(result.SurvivorGrains > 0, "the surviving silo held no asset grain: nothing was tested");
        Assert.Equal(0, result.SurvivorsDeactivated);
        // Membership notices the death in about 3 s (Cluster:Membership); Orleans' defaults took about 15 s.
        Assert.True(result.Recovery < TimeSpan.FromSeconds(10), $"the killed silo's grains took {result.Recovery} to answer");
    }

    /// <summary>The silo's and the API's own build output, of this test's configuration (Debug or Release).</summary>
    internal static string Dll(string project)
    {
        var configuration = new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name; // …/bin/<configuration>/net10.0/
        return Path.Combine(Root(), "src", project, "bin", configuration, "net10.0", $"{project}.dll");
    }

    private static string Root()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "CityTwin.sln"))) return dir.FullName;
        throw new InvalidOperationException("CityTwin.sln not found");
    }
}
