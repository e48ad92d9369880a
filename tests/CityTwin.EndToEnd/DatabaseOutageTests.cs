using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using CityTwin.LoadTests;
using Microsoft.Data.Sqlite;
using Xunit.Abstractions;

namespace CityTwin.EndToEnd;

/// <summary>
/// PostgreSQL stopped under status changes and telemetry, then started again (a server of the test's own: the shared
/// one serves the other tests): while it is down the API answers 503 with Retry-After, never another 5xx; the twin
/// recovers by itself within seconds; and after a SIGKILL of the silo, every acknowledged status change and every
/// reading acknowledged well before the kill is still there. The benchmark of the same is `load-tests/run.sh outage`.
/// </summary>
[Collection(ProcessCollection.Name)]
public sealed class DatabaseOutageTests(ITestOutputHelper output)
{
    [Fact]
    public async Task A_database_outage_answers_503_with_retry_after_recovers_by_itself_and_loses_nothing_acknowledged()
    {
        if (!ThrowawayPostgres.Installed)
        {
            Assert.False(IsCi, "PostgreSQL 15 is not installed; CI installs it (apt-get install -y postgresql)");
            return; // a developer machine without PostgreSQL
        }
        var result = await OutageRun.RunAsync(FailoverTests.Dll("CityTwin.Silo"), FailoverTests.Dll("CityTwin.Api"), TimeSpan.FromSeconds(8), assets: 1_000, log: output.WriteLine);
        output.WriteLine(result.ToString());

        Assert.True(result.Answers.GetValueOrDefault(503) > 0, "no request was refused while the database was down: the outage was not tested");
        Assert.Equal(0, result.ServerErrorsOtherThan503);
        Assert.Equal(0, result.ServiceUnavailableWithoutRetryAfter);
        Assert.Empty(result.Lost);
        Assert.True(result.AckedCommands > 50, $"only {result.AckedCommands} poles had an acknowledged status change");
        Assert.True(result.Recovery < TimeSpan.FromSeconds(15), $"the twin took {result.Recovery} to recover after the database returned");
    }

    [Fact]
    public async Task A_locked_sqlite_file_refuses_commands_with_503_and_retry_after_and_takes_them_again_once_free()
    {
        var data = Directory.CreateTempSubdirectory("citytwin-locked-").FullName;
        var file = Path.Combine(data, "citytwin.db");
        try
        {
            // A short busy timeout, so that the test waits seconds, not the product's minute.
            await using var twin = await TwinHost.StartAsync(new TwinStorage("Sqlite", data, $"Data Source={file};Default Timeout=2;Pooling=True"), seedAssets: 1_000);
            Assert.Equal(HttpStatusCode.OK, (await twin.Http.GetAsync("/api/assets/pole-0001")).StatusCode);

            await using (var holder = new SqliteConnection($"Data Source={file};Default Timeout=30"))
            {
                await holder.OpenAsync();
                await using (var exclusive = new SqliteCommand("BEGIN EXCLUSIVE", holder)) await exclusive.ExecuteNonQueryAsync();
                using var refused = await twin.Http.PostAsJsonAsync("/api/assets/pole-0001/status", new { status = "maintenance" });
                Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
                Assert.NotNull(refused.Headers.RetryAfter);
                Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
                await using var rollback = new SqliteCommand("ROLLBACK", holder);
                await rollback.ExecuteNonQueryAsync();
            }

            Assert.Equal("operational", (string?)(await twin.Http.GetFromJsonAsync<JsonObject>("/api/assets/pole-0001"))!["status"]); // nothing half-applied
            using var taken = await twin.Http.PostAsJsonAsync("/api/assets/pole-0001/status", new { status = "maintenance" });
            Assert.Equal(HttpStatusCode.OK, taken.StatusCode);
            Assert.Equal("maintenance", (string?)(await twin.Http.GetFromJsonAsync<JsonObject>("/api/assets/pole-0001"))!["status"]);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(data, recursive: true);
        }
    }

    private static bool IsCi => Environment.GetEnvironmentVariable("CI") is { Length: > 0 } ci && ci != "false";
}
