using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;

namespace CityTwin.Api.Http;

/// <summary>The budgets a request under <c>/api</c> draws from; each caller has its own of each.</summary>
public enum RateLimitBudget
{
    /// <summary>GET, HEAD and OPTIONS under /api, except the feed.</summary>
    Reads,
    /// <summary>Every other method under /api, except ingest and scenario submission: statuses, power, controllers, alarm acks, import, scenario cancel.</summary>
    Commands,
    /// <summary>POST /api/telemetry and POST /api/assets/{id}/telemetry.</summary>
    Ingest,
    /// <summary>POST /api/scenarios and POST /api/snapshots.</summary>
    Scenarios,
    /// <summary>GET /api/feed: open subscriptions at once, not a rate.</summary>
    Feed,
}

/// <summary>A token bucket: <see cref="PermitsPerSecond"/> requests a second on average, up to <see cref="Burst"/> at once.</summary>
public sealed record TokenBudget
{
    public double PermitsPerSecond { get; init; }
    public int Burst { get; init; }
}

/// <summary>Open feed subscriptions a caller may hold at once.</summary>
public sealed record FeedBudget
{
    public int MaxSubscriptions { get; init; } = 20;
    /// <summary>What a refused subscriber is told to wait (a subscription ends when its client leaves, which no limiter can predict).</summary>
    public int RetryAfterSeconds { get; init; } = 5;
}

/// <summary>
/// Rate limits per caller (section <c>Api:RateLimits</c>): one budget each for reads, commands, ingest and scenario
/// submissions (token buckets), and concurrent feed subscriptions. A caller is the authenticated identity — an API
/// key (<c>key:&lt;id&gt;</c>) or a user of an issuer (<c>user:&lt;iss&gt;|&lt;sub&gt;</c>) — or, without one, the
/// remote address (an IPv6 client by its /64). Only <c>/api</c> is limited: probes, <c>/metrics</c>, the OpenAPI
/// document and <c>/docs</c> never are. The defaults are far above what one client of the twin needs (the load
/// benchmarks run under them); they stop a runaway script, not a busy operations centre.
/// </summary>
public sealed record RateLimits
{
    public const string Section = "Api:RateLimits";

    public bool Enabled { get; init; } = true;
    public TokenBudget Reads { get; init; } = new() { PermitsPerSecond = 10_000, Burst = 20_000 };
    public TokenBudget Commands { get; init; } = new() { PermitsPerSecond = 200, Burst = 400 };
    public TokenBudget Ingest { get; init; } = new() { PermitsPerSecond = 2_000, Burst = 4_000 };
    public TokenBudget Scenarios { get; init; } = new() { PermitsPerSecond = 5, Burst = 10 };
    public FeedBudget Feed { get; init; } = new();

    public TokenBudget Bucket(RateLimitBudget budget) => budget switch
    {
        RateLimitBudget.Reads => Reads,
        RateLimitBudget.Commands => Commands,
        RateLimitBudget.Ingest => Ingest,
        RateLimitBudget.Scenarios => Scenarios,
        _ => throw new ArgumentOutOfRangeException(nameof(budget), budget, "the feed's budget is concurrent subscriptions, not a token bucket"),
    };

    /// <summary>Every setting that would make a budget meaningless, as "key: problem".</summary>
    public IEnumerable<string> Errors()
    {
        foreach (var budget in (RateLimitBudget[])[RateLimitBudget.Reads, RateLimitBudget.Commands, RateLimitBudget.Ingest, RateLimitBudget.Scenarios])
        {
            var bucket = Bucket(budget);
            if (!(bucket.PermitsPerSecond > 0) || double.IsInfinity(bucket.PermitsPerSecond))
                yield return $"{Section}:{budget}:PermitsPerSecond: must be a positive number, not {bucket.PermitsPerSecond}";
            if (bucket.Burst < 1) yield return $"{Section}:{budget}:Burst: must be at least 1, not {bucket.Burst}";
        }
        if (Feed.MaxSubscriptions < 1) yield return $"{Section}:Feed:MaxSubscriptions: must be at least 1, not {Feed.MaxSubscriptions}";
        if (Feed.RetryAfterSeconds < 1) yield return $"{Section}:Feed:RetryAfterSeconds: must be at least 1, not {Feed.RetryAfterSeconds}";
    }

    /// <summary>The budget a request draws from, or null for one that is never limited (anything outside /api).</summary>
    public static RateLimitBudget? Classify(HttpRequest request)
    {
        if (!request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase, out var rest)) return null;
        // Routing ignores empty segments at the end, so /api/telemetry/ is /api/telemetry here too.
        var segments = (rest.Value ?? "").Split('/', StringSplitOptions.RemoveEmptyEntries);
        var method = request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method))
            return segments is [var feed] && Is(feed, "feed") ? RateLimitBudget.Feed : RateLimitBudget.Reads;
        if (HttpMethods.IsPost(method))
        {
            if (segments is [var telemetry] && Is(telemetry, "telemetry")) return RateLimitBudget.Ingest;
            if (segments is [var assets, _, var reading] && Is(assets, "assets") && Is(reading, "telemetry")) return RateLimitBudget.Ingest;
            // A snapshot (or a sweep's) is captured as a scenario's is (every asset of a district or of the city read): the same budget.
            if (segments is [var exports, _] && Is(exports, "exports")) return RateLimitBudget.Scenarios;
            if (segments is [var scenarios] && (Is(scenarios, "scenarios") || Is(scenarios, "snapshots") || Is(scenarios, "sweeps") || Is(scenarios, "optimisations"))) return RateLimitBudget.Scenarios;
        }
        return RateLimitBudget.Commands;
    }

    private static bool Is(string segment, string name) => string.Equals(segment, name, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// Who is asking: the authenticated identity when there is one (<see cref="ClaimTypes.NameIdentifier"/>: an API
    /// key's id, or a token's <c>sub</c> qualified by its <c>iss</c>), else the remote address.
    /// </summary>
    public static string CallerOf(HttpContext context)
    {
        var user = context.User;
        // The credential's id as authentication set it: "key:{id}" or "user:{issuer}|{subject}" (Access/Caller).
        if (user.Identity?.IsAuthenticated == true && user.FindFirst(ClaimTypes.NameIdentifier)?.Value is { Length: > 0 } id) return id;
        return "ip:" + AddressOf(context.Connection.RemoteIpAddress);
    }

    /// <summary>An IPv4 address as itself; an IPv6 one by its /64, the block one host or one customer usually gets.</summary>
    public static string AddressOf(IPAddress? address)
    {
        if (address is null) return "unknown";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != AddressFamily.InterNetworkV6) return address.ToString();
        Span<byte> bytes = stackalloc byte[16];
        address.TryWriteBytes(bytes, out _);
        bytes[8..].Clear();
        return new IPAddress(bytes).ToString() + "/64";
    }

    /// <summary>How often the partitioned limiter credits the buckets: a token due at t is spendable by t + this.</summary>
    public static readonly TimeSpan Replenishment = TimeSpan.FromMilliseconds(100);

    /// <summary>
    /// Seconds a refused caller should wait, for the Retry-After header: the limiter's wait for the next token plus
    /// one replenishment (so a caller that waits exactly this long is served), rounded up, at least 1.
    /// </summary>
    public static int RetryAfterSeconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling((wait + Replenishment).TotalSeconds));

    /// <summary>The budget's setting in words, for a refusal's detail.</summary>
    public string Describe(RateLimitBudget budget) => budget == RateLimitBudget.Feed
        ? $"{Section}:Feed:MaxSubscriptions = {Feed.MaxSubscriptions.ToString("N0", CultureInfo.InvariantCulture)} open subscriptions"
        : $"{Section}:{budget}:PermitsPerSecond = {Bucket(budget).PermitsPerSecond.ToString("#,0.###", CultureInfo.InvariantCulture)}, " +
          $"Burst = {Bucket(budget).Burst.ToString("N0", CultureInfo.InvariantCulture)}";

    internal static TokenBucketRateLimiterOptions BucketOptions(TokenBudget bucket)
    {
        // Refilled about ten times a second (the partitioned limiter replenishes every 100 ms): a whole number of
        // tokens each period, so a fractional rate (0.5/s) works too.
        var tokens = Math.Max(1, (int)Math.Round(bucket.PermitsPerSecond / 10));
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = bucket.Burst,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromSeconds(tokens / bucket.PermitsPerSecond),
            QueueLimit = 0, // refused at once with Retry-After, never held open waiting
            AutoReplenishment = false,
        };
    }
}

/// <summary>A caller's budget: the limiter partition.</summary>
public readonly record struct RateLimitPartitionKey(RateLimitBudget Budget, string Caller);

public static class RateLimitServiceCollectionExtensions
{
    /// <summary>
    /// The rate limits of <c>Api:RateLimits</c> as ASP.NET Core's rate limiter with one global partitioned limiter:
    /// classified by method and path, so no endpoint declares anything. Refusals are 429 problems with Retry-After.
    /// </summary>
    public static IServiceCollection AddCityTwinRateLimits(this IServiceCollection services, IConfiguration configuration)
    {
        var limits = configuration.GetSection(RateLimits.Section).Get<RateLimits>() ?? new();
        if (limits.Errors().ToList() is { Count: > 0 } errors)
            throw new InvalidOperationException("Invalid rate limits: " + string.Join("; ", errors));
        services.AddSingleton(limits);
        services.AddSingleton<RateLimitMetrics>();
        services.AddRateLimiter(o =>
        {
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.OnRejected = OnRejectedAsync;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, RateLimitPartitionKey>(context =>
            {
                if (!limits.Enabled || RateLimits.Classify(context.Request) is not { } budget)
                    return RateLimitPartition.GetNoLimiter(default(RateLimitPartitionKey));
                var key = new RateLimitPartitionKey(budget, RateLimits.CallerOf(context));
                return budget == RateLimitBudget.Feed
                    ? RateLimitPartition.GetConcurrencyLimiter(key, _ => new ConcurrencyLimiterOptions { PermitLimit = limits.Feed.MaxSubscriptions, QueueLimit = 0 })
                    : RateLimitPartition.GetTokenBucketLimiter(key, k => RateLimits.BucketOptions(limits.Bucket(k.Budget)));
            });
        });
        return services;
    }

    private static ValueTask OnRejectedAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var context = rejected.HttpContext;
        var limits = context.RequestServices.GetRequiredService<RateLimits>();
        var budget = RateLimits.Classify(context.Request) ?? RateLimitBudget.Reads;
        context.RequestServices.GetRequiredService<RateLimitMetrics>().Rejected(budget);
        var seconds = budget == RateLimitBudget.Feed
            ? limits.Feed.RetryAfterSeconds
            : RateLimits.RetryAfterSeconds(rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1));
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        var name = budget.ToString().ToLowerInvariant();
        var detail = budget == RateLimitBudget.Feed
            ? $"This caller already holds as many feed subscriptions as it may ({limits.Describe(budget)}); close one, or try again in {seconds} s."
            : $"This caller has spent its {name} budget ({limits.Describe(budget)}); try again in {seconds} s.";
        return new ValueTask(Results.Problem(type: Problems.RateLimited, title: "Too many requests", statusCode: StatusCodes.Status429TooManyRequests,
                detail: detail, extensions: new Dictionary<string, object?> { ["budget"] = name, ["retryAfter"] = seconds })
            .ExecuteAsync(context));
    }
}
