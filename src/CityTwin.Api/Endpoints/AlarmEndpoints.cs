using CityTwin.Api.Audit;
using CityTwin.Domain.Access;
using CityTwin.Api.Access;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.City;
using CityTwin.Domain.Alarms;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>The alarms the twin raises (an asset faulted, a feed lost, a link down) and operators acknowledge.</summary>
public static class AlarmEndpoints
{
    public const int MaxLimit = 1_000;

    public static RouteGroupBuilder MapAlarmEndpoints(this IEndpointRouteBuilder app)
    {
        var alarms = app.MapGroup("/api/alarms").WithTags("Alarms");
        alarms.MapGet("/", ListAlarms).RequireAuthorization(AccessPolicies.Read).WithSummary("Alarms, newest first: filter by district, minimum severity and active or cleared");
        alarms.MapPost("/{id}/ack", Acknowledge).RequireAuthorization(AccessPolicies.Operate).WithSummary("Acknowledge an alarm (who, and a note)");
        return alarms;
    }

    private sealed record Acknowledgement(string? By, string? Note);

    private static async Task<Results<Ok<AlarmList>, BadRequestProblem, NotFoundProblem>> ListAlarms(IGrainFactory grains, Caller caller, string? district, string? severity, string? active, string? limit)
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
        var query = new AlarmQuery(min, state.Value, count.Value);
        var districts = district is not null ? [district] : (await grains.GetGrain<ICityGrain>(ICityGrain.Key).GetDistrictsAsync()).Where(caller.Scope.AllowsDistrict).ToArray();
        var lists = await Task.WhenAll(districts.Select(d => grains.GetGrain<IAlarmGrain>(d).ListAsync(query)));
        var counts = district is null && caller.Scope.IsEverything
            ? await grains.GetGrain<IAlarmBoardGrain>(IAlarmBoardGrain.Key).GetActiveCountsAsync()
            : await ActiveCountsAsync(grains, districts, caller.Scope);
        var alarms = lists.SelectMany(l => l).Where(caller.Scope.Allows)
            .OrderByDescending(a => a.RaisedAt).ThenBy(a => a.Id, StringComparer.Ordinal).Take(query.Limit);
        return TypedResults.Ok(new AlarmList(
            Enum.GetValues<AlarmSeverity>().ToDictionary(s => s.ToString().ToLowerInvariant(), s => counts[(int)s]),
            alarms));
    }

    private static async Task<Results<Ok<Alarm>, BadRequestProblem, BodyProblem, NotFoundProblem, UnavailableProblem>> Acknowledge(
        string id, HttpRequest request, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        if (Alarm.DistrictOf(id) is not { } district || !Ids.IsValid(district)) return Problems.Invalid("id", "is not an alarm id (alm-{district}-{number})");
        var body = request.ContentLength is 0 or null && !request.Headers.ContentType.Any()
            ? new JsonBody.Outcome<Acknowledgement>(new Acknowledgement(null, null), null)
            : await JsonBody.ReadAsync<Acknowledgement>(request, ct: ct);
        if (body.Problem is not null) return body.Problem;
        if (body.Value!.By is { Length: > 100 }) return Problems.Invalid("by", "must be at most 100 characters");
        if (body.Value.Note is { Length: > 1_000 }) return Problems.Invalid("note", "must be at most 1,000 characters");
        if (!caller.Scope.AllowsDistrict(district) || !await KnownDistricts.ExistsAsync(grains, district))
            return Problems.NotFoundOf("Alarm not found", $"No alarm has the id '{id}'.");
        if (await audit.BeginAsync(caller, "alarm.ack", id, null, body.Value.Note) is not { } entry) return CommandAudit.Unavailable();
        // "by" names the desk or person at it; without one, the credential's name stands.
        var alarm = await entry.RunAsync(() => grains.GetGrain<IAlarmGrain>(district).AcknowledgeAsync(id, body.Value.By ?? caller.Name, body.Value.Note),
            a => a is null ? ("not-found", null) : ("ok", $"acknowledged by {a.AcknowledgedBy}"));
        return alarm is null
            ? Problems.NotFoundOf("Alarm not found", $"No alarm has the id '{id}'.")
            : TypedResults.Ok(alarm);
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

    /// <summary>Active alarms by severity (all of the city's, or the district's), and the page of alarms asked for.</summary>
    public sealed record AlarmList(Dictionary<string, int> Active, IEnumerable<Alarm> Alarms);
}
