using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace CityTwin.Testing;

/// <summary>
/// Seeding runs in the background once a silo is up: waits until <c>/api/districts</c> counts the seeded city, and
/// until <paramref name="followed"/> says the districts are ready (e.g. the API's live feed follows them). One copy for
/// the in-process host and the AppHost's fixture (linked into its project: it needs nothing but HTTP).
/// </summary>
public static class SeededCity
{
    public static async Task WaitAsync(HttpClient api, int assets, TimeSpan within, Func<IReadOnlyList<string>, bool>? followed = null,
        Action? nudge = null, CancellationToken cancellationToken = default)
    {
        var deadline = DateTime.UtcNow + within;
        while (true)
        {
            var districts = await api.GetFromJsonAsync<JsonArray>("/api/districts", cancellationToken) ?? [];
            var ids = districts.Select(d => (string)d!["id"]!).ToArray();
            if (districts.Sum(d => (int)d!["total"]!) >= assets && (followed is null || followed(ids))) return;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"The seeded city of {assets:N0} assets was not there{(followed is null ? "" : ", its districts ready")}, within {within.TotalSeconds:0} s");
            nudge?.Invoke();
            await Task.Delay(200, cancellationToken);
        }
    }
}
