using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using CityTwin.Domain.Assets;

namespace CityTwin.LoadTests;

/// <summary>An endpoint as the fuzzer sees it: method, route template, and the query parameters it reads.</summary>
public sealed record FuzzEndpoint(string Method, string Route, IReadOnlyList<string> Query);

/// <summary>
/// One generated request. <paramref name="Write"/>: the method could change state, so the generator made the request
/// hostile on purpose (a refused body, or an id that is malformed or names nothing) — if it is accepted, that is news.
/// <paramref name="Transport"/>: it breaks a Kestrel limit (header flood, over-long request line), which Kestrel
/// refuses itself, before any middleware, with an empty body.
/// </summary>
public sealed record FuzzRequest(string Kind, HttpMethod Method, string Url, bool Write, bool Transport = false,
    byte[]? Body = null, string? ContentType = null, int OversizeBytes = 0, bool Chunked = false,
    IReadOnlyList<KeyValuePair<string, string>>? Headers = null)
{
    public HttpRequestMessage ToMessage()
    {
        var message = new HttpRequestMessage(Method, Url);
        var body = OversizeBytes > 0 ? Oversized(OversizeBytes) : Body;
        if (body is not null)
        {
            HttpContent content = Chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body);
            if (Chunked) message.Headers.TransferEncodingChunked = true;
            if (ContentType is not null) content.Headers.TryAddWithoutValidation("Content-Type", ContentType);
            message.Content = content;
        }
        foreach (var (name, value) in Headers ?? []) message.Headers.TryAddWithoutValidation(name, value);
        return message;
    }

    /// <summary>A well-formed JSON object just over the limit, so only its size is wrong.</summary>
    private static byte[] Oversized(int bytes)
    {
        var body = new byte[bytes];
        body.AsSpan().Fill((byte)'a');
        "{\"zzFuzz\":\""u8.CopyTo(body);
        "\"}"u8.CopyTo(body.AsSpan(bytes - 2));
        return body;
    }

    public override string ToString() =>
        $"[{Kind}] {Method} {(Url.Length > 300 ? Url[..300] + "…" : Url)}" +
        (ContentType is null ? "" : $" ({ContentType})") +
        (OversizeBytes > 0 ? $" body {OversizeBytes:N0} B" : Body is null ? "" : $" body {(Body.Length > 200 ? Encoding.UTF8.GetString(Body, 0, 200) + "…" : Encoding.UTF8.GetString(Body))}");
}

/// <summary>
/// A seeded generator of hostile requests over every endpoint and parameter: bad numbers, empty, huge, negative,
/// NaN, unicode and very long values, bad enums and ids, unknown methods and routes, wrong content types, malformed,
/// deep and oversized JSON, header floods. Shared by the end-to-end fuzz test and <c>load-tests/run.sh fuzz</c>.
/// The same seed gives the same sequence of requests.
/// </summary>
public sealed partial class HostileRequests
{
    /// <summary>Query parameters read from the raw query string, which no endpoint metadata lists.</summary>
    public static readonly IReadOnlyDictionary<string, string[]> RawQuery = new Dictionary<string, string[]>
    {
        ["/api/assets"] = ["type", "status", "district", "bbox", "near", "radius", "limit", "cursor", "dimLevel", "latencyMs", "feedOnline", "mode", "condition", "vehicleCount"],
        ["/api/stats"] = ["district"],
        ["/api/stats/history"] = ["district"],
        ["/api/feed"] = ["district", "type", "status", "lastEventId"],
    };

    private readonly Random _random;
    private readonly IReadOnlyList<FuzzEndpoint> _endpoints;
    private readonly IReadOnlyDictionary<string, string[]> _ids;
    private readonly string[] _anyIds;
    private readonly int _oversizeBytes;

    /// <param name="ids">Real ids by the route segment before a parameter ("assets", "districts", "links", …).</param>
    /// <param name="oversizeBytes">Bodies this large must be refused by every endpoint that reads one (413).</param>
    public HostileRequests(IReadOnlyList<FuzzEndpoint> endpoints, IReadOnlyDictionary<string, string[]> ids, int seed, int oversizeBytes = (1 << 20) + 1024)
    {
        if (endpoints.Count == 0) throw new ArgumentException("no endpoints to fuzz", nameof(endpoints));
        _endpoints = endpoints;
        _ids = ids;
        _anyIds = [.. ids.Values.SelectMany(v => v)];
        _random = new Random(seed);
        _oversizeBytes = oversizeBytes;
    }

    /// <summary>Real ids of a generated city, by the route segment that names them.</summary>
    public static Dictionary<string, string[]> IdsOf(IEnumerable<Asset> assets)
    {
        var list = assets.ToList();
        var districts = list.Select(a => a.District).Distinct().Order(StringComparer.Ordinal).ToArray();
        return new()
        {
            ["assets"] = [.. list.Select(a => a.Id)],
            ["links"] = [.. list.Where(a => a.Type == AssetType.Link).Select(a => a.Id)],
            ["intersections"] = [.. list.Where(a => a.Type == AssetType.Intersection).Select(a => a.Id)],
            ["districts"] = districts,
            // None exist: these exercise the lookups (404) with well-formed ids.
            ["alarms"] = [.. districts.Select(d => $"alm-{d}-1")],
            ["scenarios"] = ["scn-0123456789abcdef0123", "scn-ffffffffffffffffffff"],
        };
    }

    /// <summary>The endpoints an OpenAPI document describes, with the raw-query parameters and the undocumented GETs.</summary>
    public static List<FuzzEndpoint> FromOpenApi(JsonNode document)
    {
        var endpoints = new List<FuzzEndpoint>();
        foreach (var (path, item) in document["paths"]!.AsObject())
            foreach (var (method, operation) in item!.AsObject())
            {
                if (method is "parameters" or "summary" or "description" or "servers") continue;
                var query = (operation!["parameters"]?.AsArray() ?? [])
                    .Where(p => (string?)p!["in"] == "query").Select(p => (string)p!["name"]!).Where(n => !n.Contains('{'));
                endpoints.Add(new(method.ToUpperInvariant(), path, [.. query.Union(RawQuery.GetValueOrDefault(path.TrimEnd('/')) ?? [])]));
            }
        foreach (var path in new[] { "/", "/health", "/alive", "/metrics", "/openapi/v1.json", "/docs" })
            endpoints.Add(new("GET", path, []));
        return endpoints;
    }

    public FuzzRequest Next()
    {
        var roll = _random.Next(1000);
        if (roll < 15) return TransportLimit();
        if (roll < 50) return RefusedByKestrel(UnknownRoute());
        var endpoint = _endpoints[_random.Next(_endpoints.Count)];
        var method = roll < 150 ? OtherMethod(endpoint.Method) : new HttpMethod(endpoint.Method);
        var write = method != HttpMethod.Get && method != HttpMethod.Options;
        var sendsBody = write && method != HttpMethod.Delete;
        // A write with no hostile body of its own must name nothing real.
        var realIds = !write || (sendsBody && _random.Next(3) > 0);
        var url = Path(endpoint.Route, realIds) + Query(endpoint.Query);
        var kind = method.Method == endpoint.Method ? "parameters" : "method";
        return RefusedByKestrel(sendsBody ? Body(kind, method, url) : new(kind, method, url, write, Headers: write ? null : ReadHeaders(endpoint.Route)));
    }

    /// <summary>Kestrel refuses a NUL in the path itself (400, no body), before routing.</summary>
    private static FuzzRequest RefusedByKestrel(FuzzRequest request) =>
        request.Url.Split('?')[0].Contains("%00", StringComparison.Ordinal) ? request with { Transport = true } : request;

    private HttpMethod OtherMethod(string mapped)
    {
        string[] methods = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "FUZZ"];
        var other = methods.Where(m => m != mapped).ToArray();
        return new HttpMethod(other[_random.Next(other.Length)]);
    }

    // ---- routes ------------------------------------------------------------------------------------------------

    [GeneratedRegex(@"\{\*{0,2}([^}:=?]+)[^}]*\}")]
    private static partial Regex RouteParameter();

    private string Path(string route, bool realIds) => RouteParameter().Replace(route, m =>
    {
        var before = route[..m.Index].TrimEnd('/');
        var segment = before[(before.LastIndexOf('/') + 1)..];
        if (realIds && _random.Next(2) == 0)
        {
            var pool = _ids.GetValueOrDefault(segment) is { Length: > 0 } p ? p : _anyIds;
            if (pool.Length > 0) return Uri.EscapeDataString(pool[_random.Next(pool.Length)]);
        }
        return BadId();
    });

    private static readonly string[] BadIds =
    [
        "pole-999999", "d-99", "zz", "scn-00000000000000000000", "alm-d01-999999", "alm-", "alm--1", "link-", "1", "0", "-1",
        "%20", "..", "...", "%2E%2E", "%2F", "a%2Fb", "%00", "a%00b", "%0A", "pole-1%0A", "%E2%80%AE", "%C0%AF", "%FF%FE", "%",
        "%zz", "null", "undefined", "%F0%9F%92%A5", "%C3%A9l%C3%A9ment", "x;y", "x,y", "'%20OR%201=1", "%3Cscript%3E", "~", "_", "-",
        "A:B", "a.b", ":::",
    ];

    private string BadId() => _random.Next(12) switch
    {
        0 => new string('x', _random.Next(65, 300)),
        1 => new string('p', _random.Next(1_000, 6_000)),
        2 => Uri.EscapeDataString(Unicode(_random.Next(1, 40))),
        _ => BadIds[_random.Next(BadIds.Length)],
    };

    private FuzzRequest UnknownRoute()
    {
        string[] paths =
        [
            "/api", "/api/", "/api/nope", "/api/assets/a/b/c/d", "/api/assets//history", "/api/districts/d01/zz", "/api/alarms/x/ack/y",
            "/api/scenarios/x/compare/y", "/%00", "/api/%2e%2e/%2e%2e/etc/passwd", "/API/ASSETS", "/api/assets/" + new string('z', 2_000),
            "/api/telemetry/mqtt/x", "/.env", "/api/feed/x", "/metrics/x", "/openapi/v2.json", "/docs/../../x", "/api/assets?%", "/%E2%82%AC",
        ];
        var path = paths[_random.Next(paths.Length)];
        var method = new HttpMethod(new[] { "GET", "POST", "DELETE", "PUT" }[_random.Next(4)]);
        return method == HttpMethod.Get ? new("unknown-route", method, path, false) : Body("unknown-route", method, path);
    }

    // ---- query strings -----------------------------------------------------------------------------------------

    private static readonly string[] PlainValues =
    [
        "1", "10", "100", "1000", "1001", "20", "true", "false", "critical", "major", "minor", "warning", "pole", "camera", "link",
        "intersection", "offline", "operational", "up", "down", "4.35,50.85", "4.34,50.84,4.36,50.86", "300", "fixedTime",
    ];

    private static readonly string[] HostileValues =
    [
        "abc", "", "1e9", "1e99", "1e-9", "99999999999999999999", "2147483648", "4294967296", "-2147483649", "-1", "0", "-0", "1.5",
        "1,5", "NaN", "nan", "Infinity", "-Infinity", "∞", "0x10", " 5", "5 ", "+5", "05", "١٢٣", "５", "⁵", "%", "%zz", "%00", "\0",
        "null", "undefined", "TRUE", "yes", "1 OR 1=1", "[]", "{}", "'; DROP TABLE assets;--", "<script>alert(1)</script>",
        "../../etc/passwd", "💥", "é", "\u202e", "\ud83d", ",", ",,,", "a,b,c", "1,2", "-180,-90,180,90", "181,91", "4.35", "4.35,50.85,x",
        "NaN,NaN", "Infinity,0", "1e308,1e308", "-0,-0,0,0",
    ];

    private string Value()
    {
        var roll = _random.Next(20);
        if (roll == 0) return new string('9', _random.Next(20, 400));
        if (roll == 1) return Unicode(_random.Next(100, 1_000));
        if (roll == 2 && _anyIds.Length > 0) return _anyIds[_random.Next(_anyIds.Length)];
        if (roll < 7) return PlainValues[_random.Next(PlainValues.Length)];
        return HostileValues[_random.Next(HostileValues.Length)];
    }

    private string Query(IReadOnlyList<string> parameters)
    {
        var terms = new List<string>();
        var count = _random.Next(parameters.Count == 0 ? 2 : 4);
        for (var i = 0; i < count; i++)
        {
            var name = parameters.Count > 0 && _random.Next(5) > 0 ? parameters[_random.Next(parameters.Count)] : ExtraName();
            terms.Add(_random.Next(8) switch
            {
                0 => Uri.EscapeDataString(name), // the name alone, no '='
                1 => $"{Uri.EscapeDataString(name)}={Value()}", // unescaped: '%', '&', '#', raw unicode as the client wrote it
                2 => $"{Uri.EscapeDataString(name.ToUpperInvariant())}={Uri.EscapeDataString(Value())}",
                _ => $"{Uri.EscapeDataString(name)}={Uri.EscapeDataString(Value())}",
            });
            if (_random.Next(10) == 0) terms.Add(terms[^1]); // repeated
        }
        return terms.Count == 0 ? "" : "?" + string.Join('&', terms);
    }

    private string ExtraName() => new[] { "zzFuzz", "", "limit[]", "a b", "%", "dimLevel<", "<", "=", "__proto__", "💥", "$filter", "LIMIT" }[_random.Next(12)];

    private List<KeyValuePair<string, string>>? ReadHeaders(string route) => _random.Next(6) switch
    {
        0 => [new("Accept", new[] { "application/geo+json", "application/xml", "*/*;q=abc", "garbage", "application/geo+json;q=0", "text/event-stream" }[_random.Next(6)])],
        // Header values are ASCII on the wire (HttpClient refuses others): hostile text goes percent-encoded.
        1 when route.Contains("feed") => [new("Last-Event-ID", _random.Next(2) == 0 ? new string('9', 101) : Uri.EscapeDataString(Value()))],
        _ => null,
    };

    // ---- bodies ------------------------------------------------------------------------------------------------

    private static readonly string[] Malformed =
    [
        "{", "}", "[1,2", "{\"status\":}", "{'status':'offline'}", "nul", "{\"a\":1}{\"b\":2}", "{\"status\":\"offline\",}",
        "/* comment */ {\"status\":\"offline\"}", "{\"status\":NaN}", "{\"latencyMs\":Infinity}", "{\"status\":\"off", "{\"status\" \"offline\"}",
        "[{\"id\":\"pole-1\",}]", "\"unterminated", "{\"on\":tru}", "{\"fault\":01}", "{\"dimLevel\":.5}", "{\"dimLevel\":1.}", "{,}",
        "{\"type\":\"FeatureCollection\",\"features\":[", "\n\n\n", " ", "{\"a\":\"\\x41\"}", "{\"a\":\"\\u12\"}",
    ];

    private static readonly string[] WrongShapes =
    [
        "[]", "\"text\"", "42", "-1", "null", "true", "[{}]", "[null]", "{\"status\":\"exploded\"}", "{\"status\":3}", "{\"status\":null}",
        "{\"status\":[\"offline\"]}", "{\"condition\":\"sideways\",\"latencyMs\":\"fast\"}", "{\"condition\":\"down\",\"latencyMs\":-1e400}",
        "{\"on\":\"yes\"}", "{\"on\":1}", "{\"fault\":\"true\"}", "{\"timestamp\":\"not a time\",\"dimLevel\":\"NaN\"}",
        "{\"timestamp\":\"2024-13-45T25:61:61Z\",\"zzFuzz\":1}", "{\"by\":12}", "{\"note\":[1,2,3]}", "{\"zzFuzz\":true}",
        "{\"by\":\"\\ud800\\udfff\\u0000\",\"zzFuzz\":1}", "{\"by\":\"\\ud800\",\"zzFuzz\":1}", "{\"status\":\"offline\",\"zzFuzz\":1}",
        "{\"dimLevel\":1e999,\"zzFuzz\":1}", "{\"vehicleCount\":99999999999999999999999,\"zzFuzz\":1}",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"geometry\":null,\"properties\":{}}]}",
        "{\"type\":\"FeatureCollection\",\"features\":\"no\"}", "{\"type\":\"FeatureCollection\"}",
        "{\"type\":\"FeatureCollection\",\"features\":[{\"type\":\"Feature\",\"id\":\"pole-x\",\"geometry\":{\"type\":\"Point\",\"coordinates\":[999,999]},\"properties\":{\"type\":\"pole\"}}]}",
        "[{\"id\":\"pole-999999\",\"timestamp\":\"yesterday\"}]", "[{\"timestamp\":\"2024-01-01T00:00:00Z\"}]", "[1,2,3]",
        "{\"snapshotId\":\"city\",\"zzFuzz\":1}", "{\"snapshotId\":42}", "{\"snapshotId\":\"../../etc\",\"horizonSeconds\":-1,\"zzFuzz\":1}",
    ];

    private static readonly string[] WrongTypes =
    [
        "text/plain", "application/xml", "text/xml", "multipart/form-data; boundary=zz", "application/x-www-form-urlencoded", "image/png",
        "application/jsonx", "json", "*/*", "application/*", "application/json-seq", "application/problem+json", "!!!", "text/json",
    ];

    private FuzzRequest Body(string kind, HttpMethod method, string url)
    {
        var json = _random.Next(10) switch { 0 => "application/x-ndjson", 1 => "application/geo+json", 2 => "application/json; charset=klingon", _ => "application/json" };
        return _random.Next(14) switch
        {
            0 or 1 => new(kind + "/content-type", method, url, true, Body: "{\"zzFuzz\":1}"u8.ToArray(), ContentType: WrongTypes[_random.Next(WrongTypes.Length)]),
            2 => new(kind + "/no-content-type", method, url, true, Body: Utf8(Malformed[_random.Next(Malformed.Length)])),
            3 or 4 => new(kind + "/malformed", method, url, true, Body: Utf8(Malformed[_random.Next(Malformed.Length)]), ContentType: json),
            5 => new(kind + "/bytes", method, url, true, Body: RandomBytes(), ContentType: json),
            6 => new(kind + "/deep", method, url, true, Body: Deep(), ContentType: json),
            7 => new(kind + "/oversized", method, url, true, ContentType: json, OversizeBytes: _oversizeBytes, Chunked: _random.Next(2) == 0),
            8 => new(kind + "/empty", method, url, true, Body: [], ContentType: json),
            9 => new(kind + "/long-string", method, url, true, Body: Utf8($"{{\"by\":\"{Unicode(_random.Next(1_000, 20_000))}\",\"note\":\"x\",\"zzFuzz\":1}}"), ContentType: json),
            _ => new(kind + "/wrong-shape", method, url, true, Body: Utf8(WrongShapes[_random.Next(WrongShapes.Length)]), ContentType: json),
        };
    }

    private byte[] Deep()
    {
        var depth = _random.Next(3) switch { 0 => 10_000, 1 => _random.Next(60, 70), _ => _random.Next(100, 2_000) };
        var (open, close) = _random.Next(2) == 0 ? ("[", "]") : ("{\"a\":", "}");
        return Utf8(string.Concat(Enumerable.Repeat(open, depth)) + "1" + string.Concat(Enumerable.Repeat(close, depth)));
    }

    private byte[] RandomBytes()
    {
        var bytes = new byte[_random.Next(1, 512)];
        _random.NextBytes(bytes);
        return bytes;
    }

    /// <summary>Printable text from several scripts, emoji (surrogate pairs) and JSON-hostile characters, JSON-escaped where needed.</summary>
    private string Unicode(int length)
    {
        const string alphabet = "aZ09 -_.~éßø中文字한국어العربيةעברית∑∞≠→🙂💥🚦\\\"'<>&%#?/\u00a0\u200b\u202e";
        var builder = new StringBuilder(length);
        while (builder.Length < length)
        {
            var i = _random.Next(alphabet.Length);
            if (char.IsHighSurrogate(alphabet[i]) && i + 1 < alphabet.Length) builder.Append(alphabet, i, 2);
            else if (!char.IsLowSurrogate(alphabet[i])) builder.Append(alphabet[i] is '\\' or '"' ? "\\" + alphabet[i] : alphabet[i]);
        }
        return builder.ToString();
    }

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    // ---- Kestrel's own limits ----------------------------------------------------------------------------------

    private FuzzRequest TransportLimit() => _random.Next(3) switch
    {
        0 => new("header-flood", HttpMethod.Get, "/api/districts", false, Transport: true,
            Headers: [.. Enumerable.Range(0, _random.Next(150, 400)).Select(i => new KeyValuePair<string, string>($"X-Fuzz-{i}", "v"))]),
        1 => new("header-size", HttpMethod.Get, "/api/stats", false, Transport: true,
            Headers: [new("X-Fuzz", new string('h', _random.Next(40_000, 70_000)))]),
        _ => new("request-line", HttpMethod.Get, "/api/assets?zzFuzz=" + new string('q', _random.Next(20_000, 40_000)), false, Transport: true),
    };
}

/// <summary>What the fuzzer saw: answers by status, and every answer that broke the contract.</summary>
public sealed class FuzzTally
{
    private readonly Lock _gate = new();
    public long Sent;
    /// <summary>Requests sent again on a new connection after the pooled one was found closed (see <see cref="Fuzzer"/>).</summary>
    public long Retried;
    public long AcceptedCount;
    public SortedDictionary<int, long> ByStatus { get; } = [];
    public Dictionary<string, long> TransportErrors { get; } = [];
    public List<string> Violations { get; } = [];
    public List<string> AcceptedWrites { get; } = [];

    public long ServerErrors => ByStatus.Where(s => s.Key >= 500).Sum(s => s.Value);

    public void Count(int status) { lock (_gate) ByStatus[status] = ByStatus.GetValueOrDefault(status) + 1; }
    public void Violation(string what) { lock (_gate) if (Violations.Count < 200) Violations.Add(what); }
    public void Accepted(string what)
    {
        Interlocked.Increment(ref AcceptedCount);
        lock (_gate) if (AcceptedWrites.Count < 200) AcceptedWrites.Add(what);
    }
    public void TransportError(string kind) { lock (_gate) TransportErrors[kind] = TransportErrors.GetValueOrDefault(kind) + 1; }

    public string Statuses() => string.Join(", ", ByStatus.Select(s => $"{s.Key}: {s.Value:N0}"));
}

/// <summary>Sends generated requests and checks each answer against the contract.</summary>
public static class Fuzzer
{
    public const string ProblemTypeBase = "https://citytwin.dev/problems/";

    /// <summary>The client to fuzz with: no redirects followed (the 3xx is the answer), a connection per sender.</summary>
    public static HttpClient Client(HttpClient twin, int concurrency) =>
        new(new SocketsHttpHandler { AllowAutoRedirect = false, MaxConnectionsPerServer = concurrency, ConnectTimeout = TimeSpan.FromSeconds(10) })
        {
            BaseAddress = twin.BaseAddress,
            Timeout = TimeSpan.FromSeconds(60),
            // An admin's key: the fuzz is about input, and a refusal for want of a role would hide what it probes.
            DefaultRequestHeaders = { Authorization = twin.DefaultRequestHeaders.Authorization },
        };

    /// <summary>
    /// Sends <paramref name="count"/> requests (or until <paramref name="budget"/> is spent) from
    /// <paramref name="concurrency"/> senders. Requests are drawn from the generator in order, so a seed always sends
    /// the same set. The contract: no 5xx; a 4xx carries an RFC 7807 problem+json with a CityTwin type, unless Kestrel
    /// refused the request line or headers itself (then there is no body); a transport error only where the server
    /// may close a connection it will not read (oversized bodies, Kestrel limits).
    /// </summary>
    public static async Task<FuzzTally> RunAsync(HttpClient http, HostileRequests requests, int count, int concurrency, TimeSpan budget)
    {
        using var fresh = Client(http, 1);
        var tally = new FuzzTally();
        var deadline = DateTime.UtcNow + budget;
        var gate = new Lock();
        var drawn = 0;
        await Task.WhenAll(Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (DateTime.UtcNow < deadline)
            {
                FuzzRequest request;
                lock (gate)
                {
                    if (drawn >= count) return;
                    drawn++;
                    request = requests.Next();
                }
                await SendAsync(http, fresh, request, tally);
                Interlocked.Increment(ref tally.Sent);
            }
        }));
        return tally;
    }

    private static async Task SendAsync(HttpClient http, HttpClient fresh, FuzzRequest request, FuzzTally tally)
    {
        try
        {
            using var message = request.ToMessage();
            HttpResponseMessage response;
            try
            {
                response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException) when (!request.Transport && request.OversizeBytes == 0)
            {
                // Kestrel ends a connection after refusing a request it cannot recover from (header flood, oversized body);
                // a request already on its way down that pooled connection finds it closed — the keep-alive race of RFC 9112
                // §9.3.1, which clients meet by sending again. Once, on a new connection; a second failure is a violation.
                Interlocked.Increment(ref tally.Retried);
                using var again = request.ToMessage();
                response = await fresh.SendAsync(again, HttpCompletionOption.ResponseHeadersRead);
            }
            using var _ = response;
            var status = (int)response.StatusCode;
            tally.Count(status);
            var mediaType = response.Content.Headers.ContentType?.MediaType;
            // The live feed answers a good request with an endless stream: its status is the answer.
            var body = mediaType == "text/event-stream" ? "" : await response.Content.ReadAsStringAsync();
            if (status >= 500) tally.Violation($"{status} for {request}: {Shorten(body)}");
            else if (status >= 400) CheckProblem(request, status, mediaType, body, tally);
            else if (request.Write && status < 300) tally.Accepted($"{status} for {request}: {Shorten(body)}");
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            // The server answers an oversized body early and may close the connection while the client still sends it.
            if (request.Transport || request.OversizeBytes > 0) tally.TransportError(request.Kind);
            else tally.Violation($"transport error for {request}: {e.GetBaseException().Message}");
        }
        catch (TaskCanceledException)
        {
            tally.Violation($"no answer within the client timeout for {request}");
        }
    }

    private static void CheckProblem(FuzzRequest request, int status, string? mediaType, string body, FuzzTally tally)
    {
        if (body.Length == 0)
        {
            // Only Kestrel answers 414 and 431, and it writes no body; a 400 without one is its refusal of the request line.
            if (!(status is 414 or 431 || (request.Transport && status == 400))) tally.Violation($"{status} with no body for {request}");
            return;
        }
        if (mediaType != "application/problem+json")
        {
            tally.Violation($"{status} as {mediaType ?? "no content type"}, not a problem, for {request}: {Shorten(body)}");
            return;
        }
        try
        {
            var problem = JsonNode.Parse(body)!;
            if ((string?)problem["type"] is not { } type || !type.StartsWith(ProblemTypeBase, StringComparison.Ordinal))
                tally.Violation($"{status} problem without a CityTwin type for {request}: {Shorten(body)}");
            else if ((int?)problem["status"] != status)
                tally.Violation($"{status} problem whose status says {problem["status"]} for {request}");
        }
        catch (Exception e) when (e is System.Text.Json.JsonException or InvalidOperationException or FormatException)
        {
            tally.Violation($"{status} problem that is not JSON for {request}: {Shorten(body)}");
        }
    }

    private static string Shorten(string s) => s.Length > 400 ? s[..400] + "…" : s;
}

/// <summary>
/// What the twin holds, as seen through the API: counts and KPIs (without their timestamps), every asset (the
/// export), scenarios and alarms. Equal snapshots before and after the fuzz mean no refused request changed state.
/// </summary>
public sealed record TwinState(string Stats, string Export, string Scenarios, string Alarms)
{
    public static async Task<TwinState> CaptureAsync(HttpClient http)
    {
        var stats = JsonNode.Parse(await http.GetStringAsync("/api/stats"))!.AsObject();
        stats.Remove("updatedAt");
        foreach (var d in stats["districts"]!.AsArray()) d!.AsObject().Remove("reportedAt");
        var export = await http.GetByteArrayAsync("/api/export");
        return new(stats.ToJsonString(), Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(export)),
            await http.GetStringAsync("/api/scenarios?limit=100"), await http.GetStringAsync("/api/alarms?limit=1000"));
    }

    /// <summary>The snapshot once two in a row agree: the read model trails the grains by a report interval.</summary>
    public static async Task<TwinState> SettledAsync(HttpClient http, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        var last = await CaptureAsync(http);
        while (true)
        {
            await Task.Delay(600);
            var now = await CaptureAsync(http);
            if (now == last || DateTime.UtcNow > deadline) return now;
            last = now;
        }
    }

    public IEnumerable<string> Differences(TwinState other)
    {
        if (Stats != other.Stats) yield return "stats";
        if (Export != other.Export) yield return "export (assets)";
        if (Scenarios != other.Scenarios) yield return "scenarios";
        if (Alarms != other.Alarms) yield return "alarms";
    }
}
