using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.WebUtilities;

namespace CityTwin.Api.Http;

/// <summary>
/// Client mistakes that no endpoint answers itself — an unknown route or method, a value the framework could not
/// bind, a body Kestrel cut off (too large, too slow) — as problems with CityTwin types, in every environment.
/// </summary>
public static partial class ClientErrors
{
    /// <summary>Every problem the framework writes gets a CityTwin type instead of an RFC section link.</summary>
    public static void Customize(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Type is null || !problem.Type.StartsWith(Problems.TypeBase, StringComparison.Ordinal))
            problem.Type = Problems.ForStatus(problem.Status ?? context.HttpContext.Response.StatusCode);
    }

    /// <summary>For UseStatusCodePages: a bare 4xx/5xx (no route, no method) becomes a problem; written even when the client's Accept refuses JSON.</summary>
    public static Task StatusCodeAsync(StatusCodeContext context)
    {
        var status = context.HttpContext.Response.StatusCode;
        return Results.Problem(statusCode: status, type: Problems.ForStatus(status), title: ReasonPhrases.GetReasonPhrase(status),
            detail: status == StatusCodes.Status405MethodNotAllowed ? $"{context.HttpContext.Request.Method} is not allowed here; see the Allow header." : null)
            .ExecuteAsync(context.HttpContext);
    }

    // RequestDelegateFactory's messages: Failed to bind parameter "int? limit" from "abc". / Required parameter "string id" was not provided …
    [GeneratedRegex("parameter \"(?:[^\"]* )?(?<name>[^\" ]+)\"")]
    private static partial Regex ParameterPattern();

    /// <summary>
    /// A <see cref="BadHttpRequestException"/> is the client's mistake: a 4xx problem with its status, naming the
    /// parameter where the framework's message does. (RouteHandlerOptions.ThrowOnBadRequest is on in every environment
    /// so that binding failures arrive here rather than as a bare 400.)
    /// </summary>
    public sealed partial class Handler(ILogger<Handler> logger) : IExceptionHandler
    {
        public async ValueTask<bool> TryHandleAsync(HttpContext context, Exception exception, CancellationToken cancellationToken)
        {
            if (exception is not BadHttpRequestException bad || context.Response.HasStarted) return false;
            LogRefused(logger, bad.StatusCode, context.Request.Method, context.Request.Path, bad.Message);
            var parameter = ParameterPattern().Match(bad.Message) is { Success: true } m ? m.Groups["name"].Value : null;
            IResult result = parameter is not null && bad.StatusCode == StatusCodes.Status400BadRequest
                ? Problems.Invalid(parameter, bad.Message)
                : Results.Problem(statusCode: bad.StatusCode, type: Problems.ForStatus(bad.StatusCode),
                    title: ReasonPhrases.GetReasonPhrase(bad.StatusCode), detail: bad.Message);
            await result.ExecuteAsync(context);
            return true;
        }

        [LoggerMessage(Level = LogLevel.Debug, Message = "Refused {Status} {Method} {Path}: {Reason}")]
        private static partial void LogRefused(ILogger logger, int status, string method, string path, string reason);
    }
}
