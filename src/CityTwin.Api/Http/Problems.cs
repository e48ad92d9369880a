using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Http;

/// <summary>RFC 7807 problem details with stable <c>type</c> URIs that clients can switch on.</summary>
public static class Problems
{
    public const string TypeBase = "https://citytwin.dev/problems/";
    public const string NotFound = TypeBase + "not-found";
    public const string Validation = TypeBase + "validation";
    public const string MalformedJson = TypeBase + "malformed-json";
    public const string TooLarge = TypeBase + "payload-too-large";
    public const string UnsupportedMediaType = TypeBase + "unsupported-media-type";
    public const string BadRequest = TypeBase + "bad-request";
    public const string MethodNotAllowed = TypeBase + "method-not-allowed";
    public const string RequestTimeout = TypeBase + "request-timeout";
    public const string Internal = TypeBase + "internal";
    public const string ScenarioQueueFull = TypeBase + "scenario-queue-full";
    public const string ScenarioNotFinished = TypeBase + "scenario-not-finished";
    public const string PlanConflict = TypeBase + "plan-conflict";
    public const string RateLimited = TypeBase + "rate-limited";

    /// <summary>The type of a problem the framework raised with only a status (no route, no method, Kestrel's refusals).</summary>
    public static string ForStatus(int status) => status switch
    {
        400 => BadRequest,
        404 => NotFound,
        405 => MethodNotAllowed,
        408 => RequestTimeout,
        413 => TooLarge,
        415 => UnsupportedMediaType,
        429 => RateLimited,
        >= 500 => Internal,
        _ => TypeBase + "status-" + status,
    };

    public static NotFoundProblem AssetNotFound(string id) => NotFoundOf("Asset not found", $"No asset has the id '{id}'.");

    public static NotFoundProblem DistrictNotFound(string id) => NotFoundOf("District not found", $"No district has the id '{id}'.");

    public static NotFoundProblem ScenarioNotFound(string id) => NotFoundOf("Scenario not found", $"No scenario has the id '{id}'.");

    public static NotFoundProblem SweepNotFound(string id) => NotFoundOf("Sweep not found", $"No sweep has the id '{id}'.");

    public static NotFoundProblem OptimisationNotFound(string id) => NotFoundOf("Optimisation not found", $"No optimisation has the id '{id}'.");

    public static NotFoundProblem SnapshotNotFound(string name) => NotFoundOf("Snapshot not found", $"No saved snapshot has the name '{name}'.");

    public static NotFoundProblem NotFoundOf(string title, string detail) =>
        new(TypedResults.Problem(type: NotFound, title: title, detail: detail, statusCode: 404));

    /// <summary>400 naming every field that broke a rule, in <c>errors</c> as {field, message}.</summary>
    public static BadRequestProblem Invalid(IEnumerable<ValidationError> errors, string title = "The request is invalid") => new(ValidationOf(errors, title));

    public static BadRequestProblem Invalid(string field, string message) => Invalid([new ValidationError(field, message)]);

    /// <summary>The validation problem itself, for a refusal that another typed result carries (a body's).</summary>
    public static ProblemHttpResult ValidationOf(IEnumerable<ValidationError> errors, string title = "The request is invalid")
    {
        var list = errors.ToArray();
        return TypedResults.Problem(
            type: Validation, title: title, statusCode: 400,
            detail: string.Join("; ", list.Take(10).Select(e => $"{e.Field}: {e.Message}")) + (list.Length > 10 ? $"; and {list.Length - 10} more" : ""),
            extensions: new Dictionary<string, object?> { ["errors"] = list });
    }
}
