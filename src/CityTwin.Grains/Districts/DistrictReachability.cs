using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Districts;

/// <summary>
/// The districts this silo's assets found silent lately. A district whose silo died answers nothing until the silo is
/// declared dead (about a second; Orleans retries the call until then), so every read of its assets would wait
/// <see cref="TwinOptions.DistrictReadWait"/> for it — a failover's traces showed every survivor read of such a district
/// taking 100–115 ms until the declaration. Once one asset has waited in vain, the others answer with their own last
/// readings at once; every <see cref="Hold"/> one of them asks the district again without waiting for it (the
/// failover's traces: a read that waited to ask again met the district's new activation just after the declaration,
/// 100 ms in every lane), and a district that answers is asked by every read again.
/// </summary>
public sealed class DistrictReachability([FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time)
{
    /// <summary>
    /// How long a silent district is not asked (about half a failure declaration, which takes 0.4–0.8 s here); also how
    /// long one question asking again has before another is sent.
    /// </summary>
    public static readonly TimeSpan Hold = TimeSpan.FromMilliseconds(500);

    private readonly ConcurrentDictionary<string, DateTimeOffset> _silentUntil = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether to wait for the district now: <see cref="DistrictCall.Ask"/> unless it was silent within the last
    /// <see cref="Hold"/>; once the hold is over, the caller that moves it on gets <see cref="DistrictCall.AskAgain"/>
    /// and the others still <see cref="DistrictCall.Skip"/> it.
    /// </summary>
    public DistrictCall Call(string district)
    {
        if (!_silentUntil.TryGetValue(district, out var until)) return DistrictCall.Ask; // the hot path: a lock-free miss
        var now = time.GetUtcNow();
        if (now < until) return DistrictCall.Skip;
        return _silentUntil.TryUpdate(district, now + Hold, until) ? DistrictCall.AskAgain : DistrictCall.Skip;
    }

    public void Silent(string district) => _silentUntil[district] = time.GetUtcNow() + Hold;

    /// <summary>The district answered: ask it again at once (a lock-free look first: on the hot path it is not there).</summary>
    public void Answered(string district)
    {
        if (_silentUntil.ContainsKey(district)) _silentUntil.TryRemove(district, out _);
    }
}

/// <summary>What a call needing a district's answer does about it (<see cref="DistrictReachability.Call"/>).</summary>
public enum DistrictCall
{
    /// <summary>Ask and wait for the answer (up to <see cref="TwinOptions.DistrictReadWait"/>).</summary>
    Ask,
    /// <summary>Do without: the district was silent a moment ago.</summary>
    Skip,
    /// <summary>Do without, but ask in the background: its answer makes the district reachable again.</summary>
    AskAgain,
}
