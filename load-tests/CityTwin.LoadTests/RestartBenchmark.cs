using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using CityTwin.Domain.Assets;
using CityTwin.Domain.City;
using static CityTwin.LoadTests.Goals;

namespace CityTwin.LoadTests;

/// <summary>
/// A big city (default 1,000,000 assets) brought back after its silo dies, on each store: imported, one reading to
/// every asset, the write-behind window left to pass, the silo killed (SIGKILL), a new silo and API started on the
/// same database. Measured: how long until the silo answers, until the read model counts every asset again, until
/// sampled assets answer as they did, and until an export of the whole city (every asset activated) matches the one
/// taken before the kill byte for byte; the silo's memory at each step.
/// </summary>
public static class RestartBenchmark
{
    private const int Sample = 2_000;

    public static async Task<List<string>> RunAsync(int assets, bool postgres, bool sqlite = true, string? trace = null)
    {
        var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
        var rows = new List<string>();
        if (sqlite) rows.AddRange(await OneStoreAsync(city, "SQLite", null, trace));
        if (postgres)
        {
            await using var database = await ThrowawayPostgres.StartAsync();
            rows.AddRange(await OneStoreAsync(city, "PostgreSQL", database, trace));
        }
        return rows;
    }

    private static async Task<List<string>> OneStoreAsync(GeneratedCity city, string store, ThrowawayPostgres? database, string? trace)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-restart-").FullName;
        // Both exports, kept when they differ (the features that differ are printed): outside the data directory, which goes.
        var exports = Directory.CreateTempSubdirectory($"citytwin-restart-exports-{store.ToLowerInvariant()}-").FullName;
        var keepExports = false;
        // The silo comes back on its port, as the AppHost's silos do: the membership table then knows the killed one
        // for a dead older generation of it at once, instead of probing it until it is voted dead.
        string[] storage = database is null ? [] :
            ["--Storage:Provider=PostgreSql", $"--Storage:ConnectionString={database.ConnectionString}", "--Storage:ClusterId=restart"];
        storage = [.. storage, $"--Silo:Port={ChildProcess.FreePort()}"];
        var n = city.Assets.Count;
        var random = new Random(5);
        var sample = Enumerable.Range(0, Sample).Select(_ => city.Assets[random.Next(n)].Id).Distinct().ToArray();
        try
        {
            Dictionary<string, string> before;
            JsonNode statsBefore;
            (string Hash, long Bytes, TimeSpan Took) exportBefore;
            TimeSpan import, readings;
            var twin = await Twin.StartAsync(data, storage);
            try
            {
                var clock = Stopwatch.StartNew();
                await twin.ImportAsync(city.Assets);
                await twin.UntilCountedAsync(n, TimeSpan.FromMinutes(10));
                import = clock.Elapsed;
                Console.WriteLine($"{store}: {n:N0} assets imported and counted in {import.TotalSeconds:0} s");

                clock.Restart();
                var applied = await OneReadingEachAsync(twin.Http, city.Assets);
                readings = clock.Elapsed;
                if (applied != n) throw new InvalidOperationException($"{applied:N0} of {n:N0} readings applied");
                // Cameras' counts reach their intersections' grains every 5 s, which write them behind within 5 s; then
                // until the processes are quiet (the last batches written).
                await Task.Delay(TimeSpan.FromSeconds(12));
                await twin.QuietAsync(TimeSpan.FromMinutes(2));

                statsBefore = JsonNode.Parse(await twin.Http.GetStringAsync("/api/stats"))!["city"]!;
                before = await GetAllAsync(twin.Http, sample);
                exportBefore = await ExportAsync(twin.Http, Path.Combine(exports, "before.geojson"));
                Console.WriteLine($"{store}: export before the kill {exportBefore.Bytes / 1e6:0} MB in {exportBefore.Took.TotalSeconds:0} s");
                await Task.Delay(TimeSpan.FromSeconds(6)); // the export activated nothing new, but let any write behind land
                await twin.QuietAsync(TimeSpan.FromMinutes(2));
                await twin.Silo.KillAsync();
            }
            finally
            {
                await twin.DisposeAsync();
            }

            var restart = Stopwatch.StartNew();
            await using var again = await Twin.StartAsync(data, storage);
            var up = restart.Elapsed;
            var bare = again.Silo.WorkingSetBytes();
            await again.UntilCountedAsync(n, TimeSpan.FromMinutes(n < 100_000 ? 1 : 10));
            var counted = restart.Elapsed;
            var countedMemory = again.Silo.WorkingSetBytes();
            var statsAfter = JsonNode.Parse(await again.Http.GetStringAsync("/api/stats"))!["city"]!;

            var sampled = Stopwatch.StartNew();
            var after = await GetAllAsync(again.Http, sample);
            var sampleTook = sampled.Elapsed;
            var differ = sample.Count(id => before[id] != after[id]);
            var sampledAt = restart.Elapsed;
            Console.WriteLine($"{store}: silo up {up.TotalSeconds:0.0} s ({bare / 1e9:0.00} GB), counted {counted.TotalSeconds:0.0} s ({countedMemory / 1e9:0.00} GB), " +
                              $"sample {sampledAt.TotalSeconds:0.0} s ({differ} differ); exporting the city");

            // --trace: where the silo's and the API's time goes while the export activates the city (20 s of it).
            var profile = trace is null ? Task.FromResult(new List<string>()) : Profiler.StartAsync(trace, $"restart-{store.ToLowerInvariant()}", TimeSpan.FromSeconds(20), again);
            var exportAfter = await ExportAsync(again.Http, Path.Combine(exports, "after.geojson"));
            await profile;
            var whole = restart.Elapsed;
            var activeMemory = again.Silo.WorkingSetBytes();
            var same = exportAfter.Hash == exportBefore.Hash;
            keepExports = !same;
            var statsSame = statsAfter["byType"]!.ToJsonString() == statsBefore["byType"]!.ToJsonString();
            Console.WriteLine($"{store}: export done {whole.TotalSeconds:0} s after the start, identical {same}");
            if (!same) ShowDifferences(Path.Combine(exports, "before.geojson"), Path.Combine(exports, "after.geojson"));

            return
            [
                $"| {store}: import of {n:N0} assets, read model included / one reading to every asset (`POST /api/telemetry`, batches of 2,000) | {import.TotalSeconds:0} s / {readings.TotalSeconds:0.0} s ({n / readings.TotalSeconds:N0} readings/s) | — |",
                $"| {store}: silo killed (SIGKILL) once the write-behind window had passed; a new silo and API on the same database: silo healthy / read model counts every asset again (`/api/stats`) | **{up.TotalSeconds:0.0} s / {counted.TotalSeconds:0.0} s** after the start; counts by type × status as before the kill {Mark(statsSame)} | — |",
                $"| {store}: {sample.Length:N0} random assets by `GET /api/assets/{{id}}` (64 at a time, each activating its grain) | {sampleTook.TotalSeconds:0.0} s ({sample.Length / sampleTook.TotalSeconds:N0}/s); **{sample.Length - differ:N0} of {sample.Length:N0} exactly as before the kill** (version, timestamps, the last reading) | all {Mark(differ == 0)} |",
                $"| {store}: `GET /api/export` of the whole city after the restart (activates every asset) | {exportAfter.Took.TotalSeconds:0} s, {exportAfter.Bytes / 1e6:0} MB; **byte for byte the export taken before the kill {Mark(same)}** (before: {exportBefore.Took.TotalSeconds:0} s) | identical {Mark(same)} |",
                $"| {store}: silo memory per asset after the restart: healthy / read model complete (no asset grain active) / every asset active | {bare / (double)n / 1024:0.00} KB / **{countedMemory / (double)n / 1024:0.00} KB** / {activeMemory / (double)n / 1024:0.00} KB ({bare / 1e9:0.00} / {countedMemory / 1e9:0.00} / {activeMemory / 1e9:0.00} GB) | — |",
            ];
        }
        finally
        {
            Directory.Delete(data, recursive: true);
            if (keepExports) Console.WriteLine($"{store}: both exports kept in {exports}");
            else Directory.Delete(exports, recursive: true);
        }
    }

    /// <summary>The features whose JSON differs between two exports (at most ten shown), by id.</summary>
    private static void ShowDifferences(string beforePath, string afterPath)
    {
        static Dictionary<string, string> Features(string path)
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            return document.RootElement.GetProperty("features").EnumerateArray()
                .ToDictionary(f => f.GetProperty("id").GetString()!, f => f.GetRawText());
        }
        var before = Features(beforePath);
        var after = Features(afterPath);
        var differ = before.Keys.Union(after.Keys)
            .Where(id => before.GetValueOrDefault(id) != after.GetValueOrDefault(id)).Order(StringComparer.Ordinal).ToList();
        Console.WriteLine($"{differ.Count:N0} feature(s) differ");
        foreach (var id in differ.Take(10))
            Console.WriteLine($"  {id}\n    before: {before.GetValueOrDefault(id) ?? "(missing)"}\n    after:  {after.GetValueOrDefault(id) ?? "(missing)"}");
    }

    /// <summary>A reading that changes a value for every asset, batches of 2,000, four senders.</summary>
    private static async Task<long> OneReadingEachAsync(HttpClient http, IReadOnlyList<Asset> assets)
    {
        var at = DateTimeOffset.UtcNow.AddSeconds(-1).ToString("O");
        long applied = 0;
        var next = -1;
        await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var body = new StringBuilder();
            int b;
            while ((b = Interlocked.Increment(ref next)) * 2_000 < assets.Count)
            {
                body.Clear().Append('[');
                for (var i = b * 2_000; i < Math.Min(assets.Count, (b + 1) * 2_000); i++)
                {
                    if (i > b * 2_000) body.Append(',');
                    var a = assets[i];
                    body.Append(a.Type switch
                    {
                        AssetType.Pole => $$"""{"id":"{{a.Id}}","timestamp":"{{at}}","dimLevel":{{i % 97}},"energyKWh":{{i % 1000 / 10.0}}}""",
                        AssetType.Camera => $$"""{"id":"{{a.Id}}","timestamp":"{{at}}","vehicleCount":{{i % 57}}}""",
                        AssetType.Intersection => $$"""{"id":"{{a.Id}}","timestamp":"{{at}}","flowVehPerHour":{{i % 1800}}}""",
                        _ => $$"""{"id":"{{a.Id}}","timestamp":"{{at}}","latencyMs":{{30 + i % 40}}}""",
                    });
                }
                body.Append(']');
                using var response = await http.PostAsync("/api/telemetry", new StringContent(body.ToString(), Encoding.UTF8, "application/json"));
                var text = await response.Content.ReadAsStringAsync();
                if (!response.IsSuccessStatusCode) throw new InvalidOperationException($"telemetry: {(int)response.StatusCode} {text[..Math.Min(500, text.Length)]}");
                Interlocked.Add(ref applied, (long)JsonNode.Parse(text)!["applied"]!);
            }
        }));
        return applied;
    }

    private static async Task<Dictionary<string, string>> GetAllAsync(HttpClient http, string[] ids)
    {
        var answers = new System.Collections.Concurrent.ConcurrentDictionary<string, string>();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 64 }, async (id, ct) =>
            answers[id] = await http.GetStringAsync($"/api/assets/{id}", ct));
        return new Dictionary<string, string>(answers);
    }

    private static async Task<(string Hash, long Bytes, TimeSpan Took)> ExportAsync(HttpClient http, string keepAt)
    {
        var clock = Stopwatch.StartNew();
        using var response = await http.GetAsync("/api/export", HttpCompletionOption.ResponseHeadersRead);
        response.EnsureSuccessStatusCode();
        await using var body = await response.Content.ReadAsStreamAsync();
        await using var kept = File.Create(keepAt);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = new byte[1 << 16];
        long bytes = 0;
        for (int read; (read = await body.ReadAsync(buffer)) > 0; bytes += read)
        {
            hash.AppendData(buffer, 0, read);
            await kept.WriteAsync(buffer.AsMemory(0, read));
        }
        return (Convert.ToHexString(hash.GetHashAndReset()), bytes, clock.Elapsed);
    }
}
