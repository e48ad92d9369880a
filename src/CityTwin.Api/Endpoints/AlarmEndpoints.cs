using CityTwin.Api.Audit;
using CityTwin.Domain.Access;
using CityTwin.Api.Access;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.City;
using CityTwin.Domain.Alarms;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// The alarms the twin raises (an asset faulted, a feed lost, a link down) and operators acknowledge. One link cut
/// raises an alarm per dependent; <c>group=root</c> shows one entry per root cause instead (ISA-18.2's answer to an
/// alarm flood), its consequences counted and listable, acknowledged or shelved as one.
/// </summary>
public static class AlarmEndpoints
{
    public const int MaxLimit = 1_000;

    /// <summary>The longest shelf an operator may set (configuration <c>Alarms:MaxShelve</c>).</summary>
    public static readonly TimeSpan DefaultMaxShelve = TimeSpan.FromHours(24);

    public static RouteGroupBuilder MapAlarmEndpoints(this IEndpointRouteBuilder app)
    {
        var alarms = app.MapGroup("/api/alarms").WithTags("Alarms");
        alarms.MapGet("/", ListAlarms).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Alarms, newest first: filter by district, minimum severity, active or cleared, suppressed, shelved; group=root: one entry per root cause");
        alarms.MapPost("/{id}/ack", Acknowledge).RequireAuthorization(AccessPolicies.Operate).WithSummary("Acknowledge an alarm (who, and a note)");
        alarms.MapPost("/{id}/shelve", Shelve).RequireAuthorization(AccessPolicies.Operate)
            .WithSummary("Shelve an active alarm, or a root cause's whole group (a root alarm's id or the root's id), until an expiry");
        alarms.MapDelete("/{id}/shelve", Unshelve).RequireAuthorization(AccessPolicies.Operate).WithSummary("Take an alarm's or a group's shelf off");
        alarms.MapGet("/groups/{rootId}/members", ListMembers).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("A root cause's consequential alarms, in id order, paged by cursor");
        alarms.MapPost("/groups/{rootId}/ack", AcknowledgeGroup).RequireAuthorization(AccessPolicies.Operate)
            .WithSummary("Acknowledge a root cause's alarm and every consequence at once (who, and a note)");
        return alarms;
    }

    private sealed record Acknowledgement(string? By, string? Note);

    private sealed record Shelving(DateTimeOffset? Until, string? By, string? Note);

    private static async Task<Results<Ok<AlarmList>, BadRequestProblem, NotFoundProblem>> ListAlarms(
        IGrainFactory grains, Caller caller, string? district, string? severity, string? active, string? limit,
        string? group, string? suppressed, string? shelved)
    {
        var count = QueryValues.Int("limit", limit, 1, MaxLimit, 100);
        if (count.Problem is not null) return count.Problem;
        var state = QueryValues.Flag("active", active);
        if (state.Problem is not null) return state.Problem;
        AlarmSeverity? min = null;
        if (severity is not null)
        {
            if (!Enum.TryParse<AlarmSeverity>(severity, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
                return Problems.Invalid("severity", "must be one of warning, minor, major, critical (the least severity to list)");
            min = parsed;
        }
        if (district is not null && KnownDistricts.Malformed(district, "district") is { } malformed) return malformed;
        if (district is not null && (!caller.Scope.AllowsDistrict(district) || !await KnownDistricts.ExistsAsync(grains, district))) return Problems.DistrictNotFound(district);
        if (group is not null and not "root") return Problems.Invalid("group", "must be 'root' (one entry per root cause), or absent for the flat list");
        var hide = QueryValues.Flag("suppressed", suppressed);
        if (hide.Problem is not null) return hide.Problem;
        var shelf = QueryValues.Flag("shelved", shelved);
        if (shelf.Problem is not null) return shelf.Problem;
        if (group is not null && hide.Value is not null) return Problems.Invalid("suppressed", "applies to the flat list: a group is its root and its consequences");
        var scoped = (await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync()).Where(caller.Scope.AllowsDistrict).ToArray();
        var districts = district is not null ? [district] : scoped;
        var counts = district is null && caller.Scope.IsEverything
            ? await grains.GetGrain<IAlarmBoardGrain>(IAlarmBoardGrain.Key).GetActiveCountsAsync()
            : await ActiveCountsAsync(grains, districts, caller.Scope);
        var activeCounts = Enum.GetValues<AlarmSeverity>().ToDictionary(s => s.ToString().ToLowerInvariant(), s => counts[(int)s]);
        // Shelved alarms are off the board unless asked for.
        var shelvedFilter = shelf.Value ?? false;
        if (group is not null)
        {
            var groups = await GroupsAsync(grains, caller, districts, new AlarmGroupQuery(state.Value, shelvedFilter, null));
            var shown = groups.Where(g => min is null || g.Severity >= min).ToList();
            return TypedResults.Ok(new AlarmList(activeCounts, Groups: shown
                .OrderByDescending(g => g.Severity).ThenByDescending(g => g.LastRaisedAt).ThenBy(g => g.Root, StringComparer.Ordinal)
                .Take(count.Value), TotalGroups: shown.Count));
        }
        var roots = await SuppressingRootsAsync(grains, caller, scoped);
        var query = new AlarmQuery(min, state.Value, count.Value, shelvedFilter, [.. roots], hide.Value);
        var lists = await Task.WhenAll(districts.Select(d => grains.GetGrain<IAlarmGrain>(d).ListAsync(query)));
        var alarms = lists.SelectMany(l => l).Where(caller.Scope.Allows)
            .OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal).Take(query.Limit);
        return TypedResults.Ok(new AlarmList(activeCounts, alarms));
    }

    private static async Task<Results<Ok<AlarmMembers>, BadRequestProblem>> ListMembers(
        string rootId, IGrainFactory grains, Caller caller, string? active, string? limit, string? cursor)
    {
        if (!Ids.IsValid(rootId)) return Problems.Invalid("rootId", "is not a root cause id (an asset's, a feeder's or district:{id})");
        var count = QueryValues.Int("limit", limit, 1, MaxLimit, 100);
        if (count.Problem is not null) return count.Problem;
        var state = QueryValues.Flag("active", active);
        if (state.Problem is not null) return state.Problem;
        if (cursor is not null && !Ids.IsValid(cursor)) return Problems.Invalid("cursor", "is not a cursor this API returned");
        var districts = (await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync()).Where(caller.Scope.AllowsDistrict).ToArray();
        var pages = await Task.WhenAll(districts.Select(d =>
            grains.GetGrain<IAlarmGrain>(d).ListMembersAsync(rootId, new AlarmGroupQuery(state.Value, null, Types(caller, d)), cursor, count.Value + 1)));
        var merged = pages.SelectMany(p => p.Items).OrderBy(a => a.Id, StringComparer.Ordinal).Take(count.Value + 1).ToList();
        var page = merged.Take(count.Value).ToList();
        var suppressed = (await SuppressingRootsAsync(grains, caller, districts)).Contains(rootId);
        return TypedResults.Ok(new AlarmMembers(rootId, pages.Sum(p => p.Total),
            page.Select(a => a.Active && suppressed ? a with { Suppressed = true } : a),
            merged.Count > count.Value ? page[^1].Id : null));
    }

    /// <summary>An acknowledgement's body, which may be absent: who (a desk) and a note, each bounded.</summary>
    private static async Task<(Acknowledgement? Value, BodyProblem? Problem, BadRequestProblem? Invalid)> AcknowledgementAsync(HttpRequest request, CancellationToken ct)
    {
        var body = request.ContentLength is 0 or null && !request.Headers.ContentType.Any()
            ? new JsonBody.Outcome<Acknowledgement>(new Acknowledgement(null, null), null)
            : await JsonBody.ReadAsync<Acknowledgement>(request, ct: ct);
        if (body.Problem is not null) return (null, body.Problem, null);
        if (body.Value!.By is { Length: > 100 }) return (null, null, Problems.Invalid("by", "must be at most 100 characters"));
        if (body.Value.Note is { Length: > 1_000 }) return (null, null, Problems.Invalid("note", "must be at most 1,000 characters"));
        return (body.Value, null, null);
    }

    private static async Task<Results<Ok<Alarm>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> Acknowledge(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (Alarm.DistrictOf(id) is not { } district || !Ids.IsValid(district)) return Problems.Invalid("id", "is not an alarm id (alm-{district}-{number})");
        var body = await AcknowledgementAsync(request, ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Invalid is not null) return body.Invalid;
        var ack = body.Value!;
        if (!caller.Scope.AllowsDistrict(district) || !await KnownDistricts.ExistsAsync(grains, district))
            return Problems.NotFoundOf("Alarm not found", $"No alarm has the id '{id}'.");
        if (await audit.BeginAsync(caller, "alarm.ack", id, null, ack.Note) is not { } entry) return CommandAudit.Unavailable();
        // "by" names the desk or person at it; without one, the credential's name stands.
        var alarm = await entry.RunAsync(() => grains.GetGrain<IAlarmGrain>(district).AcknowledgeAsync(id, ack.By ?? caller.Name, ack.Note),
            a => a is null ? ("not-found", null) : ("ok", $"acknowledged by {a.AcknowledgedBy}"));
        return alarm is null
            ? Problems.NotFoundOf("Alarm not found", $"No alarm has the id '{id}'.")
            : TypedResults.Ok(alarm);
    }

    private static async Task<Results<Ok<GroupAcknowledgement>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> AcknowledgeGroup(
        string rootId, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (!Ids.IsValid(rootId)) return Problems.Invalid("rootId", "is not a root cause id (an asset's, a feeder's or district:{id})");
        var body = await AcknowledgementAsync(request, ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Invalid is not null) return body.Invalid;
        var ack = body.Value!;
        var districts = (await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync()).Where(caller.Scope.AllowsDistrict).ToArray();
        if (await audit.BeginAsync(caller, "alarm.group.ack", rootId, null, ack.Note) is not { } entry) return CommandAudit.Unavailable();
        var by = ack.By ?? caller.Name;
        // One audit entry for the group; each district acknowledges its share, written before the reply.
        var results = await entry.RunAsync(
            () => Task.WhenAll(districts.Select(d => grains.GetGrain<IAlarmGrain>(d).AcknowledgeGroupAsync(rootId, by, ack.Note, Types(caller, d)))),
            r => r.Sum(x => x.Total) == 0 ? ("not-found", null) : ("ok", $"acknowledged {r.Sum(x => x.Acknowledged)} of {r.Sum(x => x.Total)} by {by}"));
        var total = results.Sum(r => r.Total);
        return total == 0
            ? Problems.NotFoundOf("Alarm group not found", $"No alarm has the root cause '{rootId}'.")
            : TypedResults.Ok(new GroupAcknowledgement(rootId, results.Sum(r => r.Acknowledged), total, by));
    }

    private static async Task<Results<Ok<ShelveResult>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> Shelve(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, IConfiguration configuration, TimeProvider time, CancellationToken ct)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not an alarm id (alm-{district}-{number}) or a root cause id");
        var body = await JsonBody.ReadAsync<Shelving>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        var max = configuration.GetValue("Alarms:MaxShelve", DefaultMaxShelve);
        var now = time.GetUtcNow();
        if (body.Value!.Until is not { } until) return Problems.Invalid("until", "is required: when the shelf expires (ISO 8601)");
        if (until <= now) return Problems.Invalid("until", "must be in the future");
        if (until > now + max) return Problems.Invalid("until", $"must be at most {max} from now (Alarms:MaxShelve)");
        if (body.Value.By is { Length: > 100 }) return Problems.Invalid("by", "must be at most 100 characters");
        if (body.Value.Note is { Length: > 1_000 }) return Problems.Invalid("note", "must be at most 1,000 characters");
        var target = await TargetAsync(id, grains, caller);
        if (target.Problem is not null) return target.Problem;
        if (target.Alarm is { Active: false }) return Problems.Invalid("id", "the alarm has cleared: only an active alarm is on the board to shelve");
        var by = body.Value.By ?? caller.Name;
        if (await audit.BeginAsync(caller, "alarm.shelve", id, null, body.Value.Note) is not { } entry) return CommandAudit.Unavailable();
        var shelved = await entry.RunAsync(async () =>
        {
            if (target.Root is null) return await grains.GetGrain<IAlarmGrain>(target.Alarm!.District).ShelveAsync(id, new AlarmShelf(until, now, by, body.Value.Note)) is null ? 0 : 1;
            var hidden = await Task.WhenAll(target.Districts.Select(d =>
                grains.GetGrain<IAlarmGrain>(d).ShelveGroupAsync(target.Root, new AlarmShelf(until, now, by, body.Value.Note, Types(caller, d)))));
            return hidden.Sum();
        }, n => ("ok", $"shelved until {until:O}: {n} active alarm(s)"));
        return TypedResults.Ok(new ShelveResult(id, target.Root, until, shelved));
    }

    private static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, UnavailableProblem>> Unshelve(
        string id, IGrainFactory grains, Caller caller, CommandAudit audit)
    {
        if (!Ids.IsValid(id)) return Problems.Invalid("id", "is not an alarm id (alm-{district}-{number}) or a root cause id");
        var target = await TargetAsync(id, grains, caller);
        if (target.Problem is not null) return target.Problem;
        if (await audit.BeginAsync(caller, "alarm.unshelve", id) is not { } entry) return CommandAudit.Unavailable();
        var removed = await entry.RunAsync(async () => target.Root is null
                ? await grains.GetGrain<IAlarmGrain>(target.Alarm!.District).UnshelveAsync(id)
                : (await Task.WhenAll(target.Districts.Select(d => grains.GetGrain<IAlarmGrain>(d).UnshelveGroupAsync(target.Root)))).Any(r => r),
            r => r ? ("ok", "back on the board") : ("not-found", "not shelved"));
        return removed ? TypedResults.NoContent() : Problems.NotFoundOf("Not shelved", $"'{id}' is not on a shelf.");
    }

    /// <summary>What a shelf names: one alarm (<see cref="ShelfTarget.Root"/> null), or a root cause's group — a root alarm's id or the root's own.</summary>
    private sealed record ShelfTarget(Alarm? Alarm, string? Root, string[] Districts, NotFoundProblem? Problem = null);

    private static async Task<ShelfTarget> TargetAsync(string id, IGrainFactory grains, Caller caller)
    {
        var districts = (await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync()).Where(caller.Scope.AllowsDistrict).ToArray();
        if (Alarm.DistrictOf(id) is { } district)
        {
            var alarm = caller.Scope.AllowsDistrict(district) && Array.BinarySearch(districts, district, StringComparer.Ordinal) >= 0
                ? await grains.GetGrain<IAlarmGrain>(district).GetAsync(id)
                : null;
            if (alarm is null || !caller.Scope.Allows(alarm)) return new(null, null, [], Problems.NotFoundOf("Alarm not found", $"No alarm has the id '{id}'."));
            return new(alarm, alarm.IsRoot ? alarm.Root : null, districts);
        }
        var parts = await Task.WhenAll(districts.Select(d => grains.GetGrain<IAlarmGrain>(d).GetRootsAsync()));
        var known = parts.Zip(districts).Any(p => p.First.Cited.Contains(id) || p.First.Raised.TryGetValue(id, out var type) && caller.Scope.Allows(p.Second, type));
        return known ? new(null, id, districts) : new(null, null, [], Problems.NotFoundOf("Alarm group not found", $"No active alarm has the root cause '{id}'."));
    }

    /// <summary>The caller's asset types in a district, as the grains take them (null: every type).</summary>
    private static AssetType[]? Types(Caller caller, string district) => caller.Scope.TypesIn(district) is { } types ? [.. types] : null;

    /// <summary>
    /// The root causes whose own alarm is active and visible to the caller and that some active alarm cites: their
    /// consequences are suppressed. Asked of every district the caller sees, as a link serves assets beyond its own.
    /// </summary>
    private static async Task<HashSet<string>> SuppressingRootsAsync(IGrainFactory grains, Caller caller, string[] districts)
    {
        var parts = await Task.WhenAll(districts.Select(d => grains.GetGrain<IAlarmGrain>(d).GetRootsAsync()));
        var cited = parts.SelectMany(p => p.Cited).ToHashSet(StringComparer.Ordinal);
        return parts.Zip(districts).SelectMany(p => p.First.Raised.Where(r => cited.Contains(r.Key) && caller.Scope.Allows(p.Second, r.Value)).Select(r => r.Key))
            .ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>The districts' groups merged by root id: a link in one district can serve assets in others.</summary>
    private static async Task<List<AlarmGroup>> GroupsAsync(IGrainFactory grains, Caller caller, string[] districts, AlarmGroupQuery query)
    {
        var parts = await Task.WhenAll(districts.Select(d => grains.GetGrain<IAlarmGrain>(d).GetGroupsAsync(query with { Types = Types(caller, d) })));
        var severities = Enum.GetValues<AlarmSeverity>();
        var groups = new List<AlarmGroup>();
        foreach (var byRoot in parts.SelectMany((p, i) => p.Select(g => (Part: g, District: districts[i]))).GroupBy(x => x.Part.RootId, StringComparer.Ordinal))
        {
            var shares = byRoot.ToList();
            var bySeverity = new int[severities.Length];
            var byType = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (part, _) in shares)
            {
                for (var i = 0; i < bySeverity.Length && i < part.BySeverity.Length; i++) bySeverity[i] += part.BySeverity[i];
                foreach (var (type, n) in part.ByType) byType[type.ToString().ToLowerInvariant()] = byType.GetValueOrDefault(type.ToString().ToLowerInvariant()) + n;
            }
            var root = shares.Select(s => s.Part.Root).FirstOrDefault(r => r is not null);
            var members = bySeverity.Sum();
            var highest = Array.FindLastIndex(bySeverity, n => n > 0);
            var severity = (AlarmSeverity)Math.Max(highest, root is null ? -1 : (int)root.Severity);
            var unacknowledged = shares.Sum(s => s.Part.Unacknowledged);
            groups.Add(new AlarmGroup(
                byRoot.Key, root?.Cause[^1] ?? shares[0].Part.Cause, root is null, root, severity, members,
                severities.ToDictionary(s => s.ToString().ToLowerInvariant(), s => bySeverity[(int)s]), byType,
                [.. shares.Select(s => s.District).Distinct().Order(StringComparer.Ordinal)],
                shares.Min(s => s.Part.FirstRaisedAt), shares.Max(s => s.Part.LastRaisedAt), unacknowledged == 0, unacknowledged,
                shares.Select(s => s.Part.Shelved).FirstOrDefault(s => s is not null),
                $"/api/alarms/groups/{Uri.EscapeDataString(byRoot.Key)}/members"));
        }
        return groups;
    }

    /// <summary>
    /// Active alarms by severity in these districts as the scope shows them: a district's own counts where every type
    /// is shown, otherwise counted from its active alarms of the shown types.
    /// </summary>
    internal static async Task<int[]> ActiveCountsAsync(IGrainFactory grains, IEnumerable<string> districts, AccessScope scope)
    {
        var severities = Enum.GetValues<AlarmSeverity>().Length;
        var each = await Task.WhenAll(districts.Select(async d =>
        {
            var alarms = grains.GetGrain<IAlarmGrain>(d);
            if (scope.TypesIn(d) is not { } types) return await alarms.GetActiveCountsAsync();
            var counts = new int[severities];
            foreach (var a in await alarms.ListAsync(new AlarmQuery(null, true, MaxActiveCounted)))
                if (types.Contains(a.AssetType)) counts[(int)a.Severity]++;
            return counts;
        }));
        var total = new int[severities];
        foreach (var counts in each)
            for (var s = 0; s < severities && s < counts.Length; s++) total[s] += counts[s];
        return total;
    }

    /// <summary>Active alarms a district's scoped count reads (a district with more is counted up to this).</summary>
    private const int MaxActiveCounted = 10_000;

    /// <summary>
    /// Active alarms by severity (all of the city's, or the district's), and the page of alarms asked for — or, with
    /// <c>group=root</c>, the page of root-cause groups and how many there are.
    /// </summary>
    public sealed record AlarmList(Dictionary<string, int> Active, IEnumerable<Alarm>? Alarms = null, IEnumerable<AlarmGroup>? Groups = null, int? TotalGroups = null);

    /// <summary>
    /// One root cause: its own alarm (null, and <c>synthetic</c>, when the root raised none the caller sees — a feeder,
    /// a district's supply), the highest severity in the group, its consequences by severity and asset type, the
    /// districts they are in, when the first and last were raised, whether all are acknowledged, and its shelf.
    /// </summary>
    public sealed record AlarmGroup(
        string Root, string Cause, bool Synthetic, Alarm? Alarm, AlarmSeverity Severity, int Members,
        Dictionary<string, int> BySeverity, Dictionary<string, int> ByType, string[] Districts,
        DateTimeOffset FirstRaisedAt, DateTimeOffset LastRaisedAt, bool Acknowledged, int Unacknowledged, AlarmShelf? Shelved, string MembersUrl);

    /// <summary>A page of a root cause's consequences, how many it has in all, and the cursor of the next page.</summary>
    public sealed record AlarmMembers(string Root, int Total, IEnumerable<Alarm> Alarms, string? NextCursor);

    /// <summary>How many of the group's alarms this acknowledged (the rest already were), of how many.</summary>
    public sealed record GroupAcknowledgement(string Root, int Acknowledged, int Total, string By);

    /// <summary>What went on the shelf: one alarm (<c>root</c> absent) or a root cause's group, until when, hiding how many active alarms now.</summary>
    public sealed record ShelveResult(string Id, string? Root, DateTimeOffset Until, int Alarms);
}
