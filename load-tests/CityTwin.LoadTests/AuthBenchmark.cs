using CityTwin.Domain.City;

namespace CityTwin.LoadTests;

/// <summary>
/// What checking a credential costs: <c>GET /api/assets/{id}</c> on two API processes of the same silo, one checking an
/// API key on every request (the product), one with authentication off (Development's Auth:Disabled), loaded in turn
/// at the same rate, several rounds each, in one run.
/// </summary>
public static class AuthBenchmark
{
    public static async Task<List<string>> RunAsync(int assets, int rate, TimeSpan duration, int rounds)
    {
        var data = Directory.CreateTempSubdirectory("citytwin-auth-").FullName;
        try
        {
            await using var twin = await Twin.StartAsync(data);
            await using var open = await twin.StartAnotherApiAsync("--environment=Development", "--Auth:Disabled=true");
            using var openHttp = new HttpClient { BaseAddress = new Uri(open.Url), Timeout = TimeSpan.FromMinutes(1) };
            var city = CityGenerator.Generate(new CitySpec { TargetAssets = assets, Seed = 42 });
            await twin.ImportAsync(city.Assets);

            var random = new Random(3);
            var ids = Enumerable.Range(0, 100_000).Select(_ => "/api/assets/" + city.Assets[random.Next(city.Assets.Count)].Id).ToArray();
            // Every asset active and both processes warm (JIT, connections) before anything is measured.
            await ConstantRateLoad.RunAsync(twin.Http, i => ids[i % ids.Length], rate, TimeSpan.FromSeconds(10));
            await ConstantRateLoad.RunAsync(openHttp, i => ids[i % ids.Length], rate, TimeSpan.FromSeconds(10));

            var keyed = new List<LatencyStats>();
            var plain = new List<LatencyStats>();
            for (var round = 0; round < rounds; round++)
            {
                keyed.Add(await ConstantRateLoad.RunAsync(twin.Http, i => ids[(i + round * 7919) % ids.Length], rate, duration));
                plain.Add(await ConstantRateLoad.RunAsync(openHttp, i => ids[(i + round * 7919) % ids.Length], rate, duration));
                Console.WriteLine($"round {round + 1}: key p99 {keyed[^1].P99:0.00} ms ({keyed[^1].Errors} errors), no auth p99 {plain[^1].P99:0.00} ms ({plain[^1].Errors} errors)");
            }
            double Median(IEnumerable<double> values) => values.Order().ElementAt(rounds / 2);
            var (k99, p99) = (Median(keyed.Select(s => s.P99)), Median(plain.Select(s => s.P99)));
            var (k50, p50) = (Median(keyed.Select(s => s.P50)), Median(plain.Select(s => s.P50)));
            return
            [
                $"| `GET /api/assets/{{id}}` with an API key vs authentication off, {assets:N0}-asset city, {rate:N0} req/s, {rounds} rounds × {duration.TotalSeconds:0} s each in turn " +
                $"({keyed.Sum(s => s.Errors) + plain.Sum(s => s.Errors)} errors) | with key p50 {k50:0.00} ms, **p99 {k99:0.00} ms**; no auth p50 {p50:0.00} ms, p99 {p99:0.00} ms " +
                $"(median of rounds; ratio p99 **{k99 / p99:0.00}×**) | ≤ 1.1× {(k99 <= 1.1 * p99 ? "✅" : "❌")} |",
            ];
        }
        finally
        {
            try { Directory.Delete(data, recursive: true); } catch (IOException) { }
        }
    }
}
