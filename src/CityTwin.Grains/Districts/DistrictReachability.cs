using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Districts;

/// <summary>
/// The districts this silo's assets found silent lately. A district whose silo died answers nothing until the silo is
/// declared dead (about a second; Orleans retries the call until then), so every read of its assets would wait
/// <see cref="TwinOptions.DistrictReadWait"/> for it — a failover's traces showed every survivor read of such a district
/// taking 100–115 ms until the declaration. Once one asset has waited in vain, the others answer with their own last
/// readings at once for <see cref="Hold"/>; then one asks again, and a district that answers is reachable again.
/// </summary>
public sealed class DistrictReachability([FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time)
{
    /// <summary>How long a silent district is not asked (about half a failure declaration, which takes 0.4–0.8 s here).</summary>
    public static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _silentUntil = new(StringComparer.Ordinal);

    /// <summary>Whether the district was silent within the last <see cref="Hold"/>: not worth waiting for now.</summary>
    public bool IsSilent(string district) => _silentUntil.TryGetValue(district, out var until) && time.GetUtcNow() < until;

    public void Silent(string district) => _silentUntil[district] = time.GetUtcNow() + Hold;

    /// <summary>The district answered: ask it again at once (a lock-free look first: on the hot path it is not there).</summary>
    public void Answered(string district)
    {
        if (_silentUntil.ContainsKey(district)) _silentUntil.TryRemove(district, out _);
    }
}
