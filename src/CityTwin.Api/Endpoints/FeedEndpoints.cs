using CityTwin.Api.Access;
using CityTwin.Api.Feed;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Endpoints;

/// <summary>The live feed: asset changes and alarms as Server-Sent Events.</summary>
public static class FeedEndpoints
{
    public const int MaxLastEventIdLength = 100;

    public static RouteGroupBuilder MapFeedEndpoints(this IEndpointRouteBuilder app)
    {
        var feed = app.MapGroup("/api/feed").WithTags("Feed");
        feed.MapGet("", StreamFeed).RequireAuthorization(AccessPolicies.Read)
            .WithSummary("Live feed (Server-Sent Events): asset changes and alarms, filtered by district, type and status; resumable with Last-Event-ID");
        return feed;
    }

    private static Results<FeedStream, BadRequestProblem, UnavailableProblem> StreamFeed(HttpRequest request, Caller caller, LiveFeed feed, IOptions<FeedOptions> options, TimeProvider time, IHostApplicationLifetime lifetime)
    {
        var (filter, errors) = FeedFilter.Parse(request.Query);
        if (filter is null) return Problems.Invalid(errors, "The feed's filters are invalid");
        filter = filter with { Scope = caller.Scope };
        // The header is what EventSource sends when it reconnects; the parameter is for clients that cannot set headers.
        var lastEventId = request.Headers["Last-Event-ID"].FirstOrDefault() ?? request.Query["lastEventId"].FirstOrDefault();
        if (lastEventId is { Length: > MaxLastEventIdLength })
            return Problems.Invalid(request.Headers.ContainsKey("Last-Event-ID") ? "Last-Event-ID" : "lastEventId", $"must be at most {MaxLastEventIdLength} characters");
        if (filter.Districts?.Any(d => !feed.IsSubscribed(d)) == true) feed.RefreshSoon(); // a district that appeared since the last look

        var subscription = feed.Subscribe(filter, lastEventId);
        if (subscription is null)
            return new UnavailableProblem(TypedResults.Problem(type: Problems.TypeBase + "feed-full", title: "Too many feed subscribers", statusCode: 503,
                detail: $"This API serves at most {options.Value.MaxSubscribers:N0} feed connections; try again shortly or another API instance."));
        return new FeedStream(subscription, options.Value, time, lifetime.ApplicationStopping, feed.Epoch);
    }
}
