using System.Collections.Concurrent;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CityTwin.Grains.Districts;

/// <summary>
/// The districts this silo's assets found silent lately. A district whose silo died answers nothing until the silo is
/// declared dead (about a second; Orleans retries the call until then), so every read of its assets would wait
/// <see cref="TwinOptions.DistrictReadWait"/> for it — a failover's traces showed every survivor read of such a district
/// taking 100–115 ms until the declaration. Once one asset has waited in vain, the others answer with their own last
/// readings at once; every <see cref="Hold"/> one of them asks the district again without waiting for it (the
/// failover's traces: a read that waited to ask again met the district's new activation just after the declaration,
/// 100 ms in every lane), and a district that answers is asked by every read again.
/// <para>
/// A read waits for a district only about as long as that district's answers here usually take (<see cref="ReadWait"/>),
/// not the whole <see cref="TwinOptions.DistrictReadWait"/>: the survivors' reads caught by a failover in its first
/// tenth of a second, before any question had found the district silent, were its slowest (up to 180 ms, on a machine
/// whose remote district answers had a p95 of 5–15 ms). Whether the district is silent is still decided by a question
/// going unanswered for the whole wait.
/// </para>
/// </summary>
public sealed class DistrictReachability([FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time, IOptions<TwinOptions> options)
{
    /// <summary>How many of a district's latest answers (at this silo) a read's wait is taken from.</summary>
    public const int AnswerWindow = 128;

    /// <summary>
    /// Which of those answers a read waits for: the p95, as the API hedges its reads at theirs — about one read in twenty
    /// answers without the district's newest readings (and dates them). At the p99 (the second slowest of 128) the
    /// few slow answers of a busy district set the wait: 80–100 ms in the failover's traces, most of the whole wait.
    /// </summary>
    public const int AnswerPercentile = 95;

    /// <summary>
    /// The shortest wait for a district, however quick its answers: twice the API's hedge floor (young garbage
    /// collections' pauses are under 10 ms in the failover's traces), so a pause does not cost a read its readings.
    /// </summary>
    public static readonly TimeSpan MinReadWait = 2 * GatewayLoss.MinHedgeAfter;

    private readonly TimeSpan _readWait = options.Value.DistrictReadWait;
    private readonly ConcurrentDictionary<string, RecentLatencies> _answers = new(StringComparer.Ordinal);

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

    /// <summary>
    /// How long a read waits for the district's answer before it answers without: the <see cref="AnswerPercentile"/>
    /// of the district's latest <see cref="AnswerWindow"/> answers here, at least <see cref="MinReadWait"/>, at most
    /// (and until they are known) <see cref="TwinOptions.DistrictReadWait"/>.
    /// </summary>
    public TimeSpan ReadWait(string district) => _answers.TryGetValue(district, out var answers) ? answers.Wait : _readWait;

    /// <summary>The district answered, after <paramref name="after"/>: ask it again at once (a lock-free look first: on the hot path it is not there).</summary>
    public void Answered(string district, TimeSpan after)
    {
        _answers.GetOrAdd(district, static (_, wait) => new RecentLatencies(AnswerWindow, AnswerPercentile, wait < MinReadWait ? wait : MinReadWait, wait), _readWait).Record(after);
        Answered(district);
    }

    /// <summary>The district answered (how fast is not known): ask it again at once.</summary>
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
