using System.Globalization;
using CityTwin.Api.Access;
using CityTwin.Contracts.Audit;
using CityTwin.Domain.Audit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>The audit log: every command with who, which role, what, target, state before and after, when and outcome.</summary>
public static class AuditEndpoints
{
    public const int MaxLimit = 1_000;

    public static RouteGroupBuilder MapAuditEndpoints(this IEndpointRouteBuilder app)
    {
        var audit = app.MapGroup("/api/audit").WithTags("Audit");
        audit.MapGet("", List).RequireAuthorization(AccessPolicies.Operate)
            .WithSummary("Commands, newest first: by actor (key:… or user:…), target (an asset, alarm, district, key), action, since and until (ISO 8601); pages follow `next`");
        return audit;
    }

    public sealed record AuditPage(IReadOnlyList<AuditEntry> Entries, string? Next);

    private static async Task<Results<Ok<AuditPage>, BadRequestProblem>> List(HttpRequest request, IGrainFactory grains,
        string? actor, string? target, string? action, string? since, string? until, string? before, string? limit)
    {
        var count = QueryValues.Int("limit", limit, 1, MaxLimit, 100);
        if (count.Problem is not null) return count.Problem;
        if (Time("since", since) is { Problem: { } p1 }) return p1;
        if (Time("until", until) is { Problem: { } p2 }) return p2;
        long? beforeSeq = null;
        if (before is not null)
        {
            if (!long.TryParse(before, NumberStyles.None, CultureInfo.InvariantCulture, out var seq)) return Problems.Invalid("before", "is not a cursor this API returned");
            beforeSeq = seq;
        }
        foreach (var (name, value) in new[] { ("actor", actor), ("target", target), ("action", action) })
            if (value is { Length: > 512 }) return Problems.Invalid(name, "must be at most 512 characters");
        var entries = await grains.GetGrain<IAuditGrain>(0).QueryAsync(new AuditQuery(actor, target, action, Time("since", since).Value, Time("until", until).Value, beforeSeq, count.Value));
        var next = entries.Length == count.Value ? $"{request.Path}?{Without(request, "before")}before={entries[^1].Seq}" : null;
        return TypedResults.Ok(new AuditPage(entries, next));
    }

    private static (DateTimeOffset? Value, BadRequestProblem? Problem) Time(string name, string? raw)
    {
        if (raw is null) return (null, null);
        return DateTimeOffset.TryParse(raw, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? (at, null)
            : (null, Problems.Invalid(name, $"must be an ISO 8601 time such as 2026-12-01T08:00:00Z, not '{QueryValues.Shown(raw)}'"));
    }

    private static string Without(HttpRequest request, string parameter)
    {
        var kept = request.Query.Where(q => q.Key != parameter).SelectMany(q => q.Value.Select(v => $"{q.Key}={Uri.EscapeDataString(v ?? "")}"));
        return string.Concat(kept.Select(k => k + "&"));
    }
}
