using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Districts;

/// <summary>
/// The districts this silo's assets found silent lately. A district whose silo died answers nothing until the silo is
/// declared dead (about a second; Orleans retries the call until then), so every read of its assets would wait
/// <see cref="TwinOptions.DistrictReadWait"/> for it — a failover's traces showed every survivor read of such a district
/// taking 100–115 ms until the declaration. Once one asset has waited in vain, the others answer with their own last
/// readings at once for <see cref="Hold"/>; then one asks again while the others still do not wait, and a district that
/// answers is reachable again. (When the hold ended for every read at once, all the reads of the district in flight
/// waited 100 ms together: a stall of every lane 0.6–0.8 s into a failover.)
/// </summary>
public sealed class DistrictReachability([FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time)
{
    /// <summary>
    /// How long a silent district is not asked (about half a failure declaration, which takes 0.4–0.8 s here); also how
    /// long the one read asking again has before another may ask.
    /// </summary>
    public static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _silentUntil = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether a read should not wait for the district now: it was silent within the last <see cref="Hold"/>, or another
    /// read is asking it again. The first read after the hold gets false and asks.
    /// </summary>
    public bool IsSilent(string district)
    {
        if (!_silentUntil.TryGetValue(district, out var until)) return false; // the hot path: a lock-free miss
        var now = time.GetUtcNow();
        if (now < until) return true;
        // The hold is over: the caller that moves it on asks; the others keep answering at once meanwhile.
        return !_silentUntil.TryUpdate(district, now + Hold, until);
    }

    public void Silent(string district) => _silentUntil[district] = time.GetUtcNow() + Hold;

    /// <summary>The district answered: ask it again at once (a lock-free look first: on the hot path it is not there).</summary>
    public void Answered(string district)
    {
        if (_silentUntil.ContainsKey(district)) _silentUntil.TryRemove(district, out _);
    }
}
