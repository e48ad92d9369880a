using System.Text.Json;
using CityTwin.Domain.Serialization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Http;

/// <summary>
/// Reads a bounded JSON body ourselves rather than through model binding, so a client's mistake becomes a 400
/// naming the offending field (or a 413/415) instead of an empty 400 or a 500.
/// </summary>
public static class JsonBody
{
    public const long DefaultLimit = 1 << 20; // 1 MiB: far above any single reading or asset

    /// <summary>No request of ours nests deeper than a few levels; a 10,000-deep array is an attack, refused as malformed (400).</summary>
    public const int MaxDepth = 64;

    private static readonly JsonSerializerOptions ReadOptions = new(CityTwinJson.Options) { MaxDepth = MaxDepth };

    public readonly record struct Outcome<T>(T? Value, BodyProblem? Problem);

    public static async Task<Outcome<T>> ReadAsync<T>(HttpRequest request, long limit = DefaultLimit, CancellationToken ct = default)
    {
        if (MediaTypeProblem(request, "application/json") is { } wrongType) return new(default, wrongType);
        var body = await ReadBytesAsync(request, limit, ct);
        if (body.Problem is not null) return new(default, body.Problem);
        try
        {
            var value = JsonSerializer.Deserialize<T>(body.Value!.Value.Span, ReadOptions);
            return value is null
                ? new(default, new BodyProblem(Problems.ValidationOf([new ValidationError("$", "the body must be a JSON object")])))
                : new(value, null);
        }
        catch (JsonException e)
        {
            return new(default, Malformed(e));
        }
    }

    /// <summary>The whole body, refusing more than <paramref name="limit"/> bytes with 413 before reading them where Content-Length says so.</summary>
    public static async Task<Outcome<ReadOnlyMemory<byte>?>> ReadBytesAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit)
        {
            // Refused unread: rather than drain up to the declared size, end the connection with the answer.
            request.HttpContext.Response.Headers.Connection = "close";
            return new(null, TooLarge(limit));
        }
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
        using var buffer = new MemoryStream(request.ContentLength is { } n ? (int)n : 4096);
        try
        {
            await request.Body.CopyToAsync(buffer, ct);
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return new(null, TooLarge(limit));
        }
        if (buffer.Length > limit) return new(null, TooLarge(limit));
        if (buffer.Length == 0) return new(null, new BodyProblem(Problems.ValidationOf([new ValidationError("$", "the request body is empty")])));
        return new(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), null);
    }

    public static BodyProblem? MediaTypeProblem(HttpRequest request, params string[] accepted)
    {
        var type = request.ContentType?.Split(';')[0].Trim();
        if (type is null || accepted.Contains(type, StringComparer.OrdinalIgnoreCase)) return null;
        return new(TypedResults.Problem(type: Problems.UnsupportedMediaType, title: "Unsupported media type", statusCode: 415,
            detail: $"Send {string.Join(" or ", accepted)}, not '{type}'."));
    }

    public static BodyProblem Malformed(JsonException e) =>
        new(TypedResults.Problem(type: Problems.MalformedJson, title: "Malformed JSON", statusCode: 400,
            detail: $"The body is not valid JSON for this request at {e.Path ?? "$"} (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1}).",
            extensions: new Dictionary<string, object?> { ["errors"] = new[] { new ValidationError(FieldOf(e.Path), "has a value of the wrong type or is malformed") } }));

    /// <summary>Turns System.Text.Json's "$.pole.dimLevel" into the API's field path "pole.dimLevel".</summary>
    private static string FieldOf(string? path) => path is null or "$" ? "$" : path.StartsWith("$.") ? path[2..] : path;

    private static BodyProblem TooLarge(long limit) =>
        new(TypedResults.Problem(type: Problems.TooLarge, title: "Payload too large", statusCode: 413,
            detail: $"The body exceeds {limit:N0} bytes."));
}
