using CityTwin.Api.Access;
using CityTwin.Api.Audit;
using CityTwin.Contracts.Scenarios;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Endpoints;

/// <summary>
/// Named snapshots: a district (or the city) frozen once and kept, so that many scenarios run on the same city —
/// a spec names one in <c>snapshotId</c>. Saving and deleting are audited like the other engineers' commands.
/// </summary>
public static class SnapshotEndpoints
{
    public static RouteGroupBuilder MapSnapshotEndpoints(this IEndpointRouteBuilder app)
    {
        var snapshots = app.MapGroup("/api/snapshots").WithTags("Snapshots");
        snapshots.MapPost("", Save).RequireAuthorization(AccessPolicies.Engineer)
            .WithSummary("Save a named snapshot of a district of the live twin (source: a district id or 'city'); 201 with its Location");
        snapshots.MapGet("", List).RequireAuthorization(AccessPolicies.Read).WithSummary("The saved snapshots, by name");
        snapshots.MapGet("/{name}", Get).RequireAuthorization(AccessPolicies.Read).WithSummary("A saved snapshot: its source, when it was taken and what it holds");
        snapshots.MapDelete("/{name}", Delete).RequireAuthorization(AccessPolicies.Engineer).WithSummary("Delete a saved snapshot (scenarios that ran on it keep their results)");
        return snapshots;
    }

    /// <summary>What to save: a name for it (an id: letters, digits, '-', '_', '.') and what to capture.</summary>
    public sealed record SnapshotRequest(string? Name, string? Source);

    public sealed record SnapshotList(IEnumerable<SnapshotInfo> Snapshots);

    private static async Task<Results<Created<SnapshotInfo>, BadRequestProblem, BodyProblem, ConflictProblem, UnavailableProblem>> Save(
        HttpContext context, IGrainFactory grains, Caller caller, CommandAudit audit, CancellationToken ct)
    {
        var body = await JsonBody.ReadAsync<SnapshotRequest>(context.Request, 4_096, ct);
        if (body.Problem is not null) return body.Problem;
        var (name, source) = (body.Value!.Name, body.Value.Source ?? IScenarioGrain.CitySnapshot);
        if (string.IsNullOrEmpty(name)) return Problems.Invalid("name", "is required");
        if (!Ids.IsValid(name)) return Problems.Invalid("name", "is not a valid id (letters, digits, '-', '_', '.')");
        if (!Ids.IsValid(source)) return Problems.Invalid("source", $"must be a district id or '{IScenarioGrain.CitySnapshot}'");

        if (await audit.BeginAsync(caller, "snapshot.save", name, null, source) is not { } entry) return CommandAudit.Unavailable();
        var saved = await entry.RunAsync(() => grains.GetGrain<ISnapshotGrain>(name).SaveAsync(source),
            r => (r.Outcome.ToString().ToLowerInvariant(), r.Info is { } i && r.Outcome == SnapshotSaveOutcome.Saved ? $"{i.Assets} assets" : null));
        return saved.Outcome switch
        {
            SnapshotSaveOutcome.Saved => TypedResults.Created($"/api/snapshots/{name}", saved.Info!),
            SnapshotSaveOutcome.Exists => new ConflictProblem(TypedResults.Problem(type: Problems.BadRequest, title: "Snapshot exists", statusCode: 409,
                detail: $"A snapshot named '{name}' exists (taken {saved.Info!.TakenAt:u} of '{saved.Info.Source}'): delete it first, or choose another name.")),
            SnapshotSaveOutcome.UnknownSource => Problems.Invalid("source", $"names no district of the live twin (give a district id or '{IScenarioGrain.CitySnapshot}')"),
            SnapshotSaveOutcome.NameTaken => Problems.Invalid("name", "is a district's id or 'city': a scenario's snapshotId would not say which it meant"),
            _ => new ConflictProblem(TypedResults.Problem(type: Problems.BadRequest, title: "Too many snapshots", statusCode: 409,
                detail: $"{ISnapshotIndexGrain.Capacity:N0} snapshots are kept: delete one first.")),
        };
    }

    private static async Task<Ok<SnapshotList>> List(IGrainFactory grains)
    {
        var names = await grains.GetGrain<ISnapshotIndexGrain>(ISnapshotIndexGrain.Key).NamesAsync();
        var infos = await Task.WhenAll(names.Select(n => grains.GetGrain<ISnapshotGrain>(n).GetAsync()));
        return TypedResults.Ok(new SnapshotList(infos.OfType<SnapshotInfo>()));
    }

    private static async Task<Results<Ok<SnapshotInfo>, BadRequestProblem, NotFoundProblem>> Get(string name, IGrainFactory grains)
    {
        if (!Ids.IsValid(name)) return Problems.Invalid("name", "is not a valid snapshot name");
        return await grains.GetGrain<ISnapshotGrain>(name).GetAsync() is { } info ? TypedResults.Ok(info) : Problems.SnapshotNotFound(name);
    }

    private static async Task<Results<NoContent, BadRequestProblem, NotFoundProblem, UnavailableProblem>> Delete(string name, IGrainFactory grains, Caller caller, CommandAudit audit)
    {
        if (!Ids.IsValid(name)) return Problems.Invalid("name", "is not a valid snapshot name");
        if (await audit.BeginAsync(caller, "snapshot.delete", name) is not { } entry) return CommandAudit.Unavailable();
        var deleted = await entry.RunAsync(() => grains.GetGrain<ISnapshotGrain>(name).DeleteAsync(), d => (d ? "ok" : "not-found", null));
        return deleted ? TypedResults.NoContent() : Problems.SnapshotNotFound(name);
    }
}
