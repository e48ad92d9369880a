using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;

namespace CityTwin.Api.Http;

/// <summary>
/// A problem as a typed result that declares its status to OpenAPI. A bare <see cref="ProblemHttpResult"/> declares
/// none (its status is a value), and <c>NotFound&lt;ProblemDetails&gt;</c> would write <c>application/json</c>
/// past the problem-details service (no CityTwin type, no traceId); these write through the ProblemHttpResult, so
/// the body and its content type are exactly the problem's.
/// </summary>
public abstract class StatusProblem(ProblemHttpResult problem)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IValueHttpResult, IValueHttpResult<ProblemDetails>
{
    public ProblemHttpResult Problem { get; } = problem;
    public ProblemDetails Value => Problem.ProblemDetails;
    object? IValueHttpResult.Value => Value;
    public int? StatusCode => Problem.StatusCode;
    public string? ContentType => Problem.ContentType;

    public virtual Task ExecuteAsync(HttpContext httpContext) => Problem.ExecuteAsync(httpContext);

    protected static void Declare(EndpointBuilder builder, params int[] statuses)
    {
        foreach (var status in statuses)
            builder.Metadata.Add(new ProducesResponseTypeMetadata(status, typeof(ProblemDetails), ["application/problem+json"]));
    }
}

/// <summary>400: a route or query value, or a field of the body, broke a rule.</summary>
public sealed class BadRequestProblem(ProblemHttpResult problem) : StatusProblem(problem), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status400BadRequest);
}

/// <summary>404: the asset, district, alarm, feeder or scenario the request names does not exist.</summary>
public sealed class NotFoundProblem(ProblemHttpResult problem) : StatusProblem(problem), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status404NotFound);
}

/// <summary>A body refused before the endpoint looked at its meaning: malformed (400), too large (413) or of a type it does not read (415).</summary>
public sealed class BodyProblem(ProblemHttpResult problem) : StatusProblem(problem), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) =>
        Declare(builder, StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType);
}

/// <summary>409: the request conflicts with the resource's state (a scenario not yet finished, an id taken).</summary>
public sealed class ConflictProblem(ProblemHttpResult problem) : StatusProblem(problem), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status409Conflict);
}

/// <summary>503: the API is full (scenario queue, feed subscribers) or its database unreachable; always with <c>Retry-After</c>.</summary>
public sealed class UnavailableProblem(ProblemHttpResult problem, int retryAfterSeconds = Unavailable.RetryAfterSeconds) : StatusProblem(problem), IEndpointMetadataProvider
{
    public static void PopulateMetadata(MethodInfo method, EndpointBuilder builder) => Declare(builder, StatusCodes.Status503ServiceUnavailable);

    public override Task ExecuteAsync(HttpContext httpContext)
    {
        Unavailable.SetRetryAfter(httpContext, retryAfterSeconds);
        return base.ExecuteAsync(httpContext);
    }
}
