using CityTwin.Domain.Geo;
using CityTwin.Domain.Queries;

namespace CityTwin.Domain.Tests.Queries;

public sealed class AssetQueryParserTests
{
    private static readonly QueryLimits Limits = new();

    private static AssetQuery Parse(string query)
    {
        var (parsed, errors) = AssetQueryParser.Parse(query, Limits);
        Assert.True(parsed is not null, string.Join("; ", errors));
        return parsed!;
    }

    private static string[] Errors(string query) => [.. AssetQueryParser.Parse(query, Limits).Errors.Select(e => e.Field)];

    [Fact]
    public void Reads_filters_as_an_operator_writes_them()
    {
        var q = Parse("?type=pole,camera&status=offline&district=d-07&dimLevel%3C50&latencyMs>=80&feedOnline=false&mode=fixedTime&condition!=up&limit=20");
        Assert.Equal([AssetType.Pole, AssetType.Camera], q.Types);
        Assert.Equal([AssetStatus.Offline], q.Statuses);
        Assert.Equal(["d-07"], q.Districts);
        Assert.Equal(20, q.Limit);
        Assert.Equal(
            ["dimLevel<50", "latencyMs>=80", "feedOnline=0", "mode=1", "condition!=0"],
            q.Filters.Select(f => f.ToString()));
    }

    [Fact]
    public void Reads_areas_and_repeated_parameters()
    {
        var q = Parse("bbox=4.30,50.80,4.40,50.90&type=pole&type=link");
        Assert.Equal(new GeoBox(4.30, 50.80, 4.40, 50.90), q.Box);
        Assert.Equal([AssetType.Pole, AssetType.Link], q.Types);
        var near = Parse("near=4.35,50.85&radius=300");
        Assert.Equal(new GeoPoint(4.35, 50.85), near.Near);
        Assert.Equal(300, near.RadiusM);
    }

    [Theory]
    [InlineData("type=tram", "type")]
    [InlineData("status=broken", "status")]
    [InlineData("bbox=1,2,3", "bbox")]
    [InlineData("bbox=5,50,4,51", "bbox")]
    [InlineData("bbox=-10,40,10,60", "bbox")] // far larger than the area limit
    [InlineData("bbox=200,50,201,51", "bbox")]
    [InlineData("near=4.3,50.8", "radius")]
    [InlineData("radius=300", "near")]
    [InlineData("near=4.3,50.8&radius=0", "radius")]
    [InlineData("near=4.3,50.8&radius=50000", "radius")]
    [InlineData("near=4.3,95&radius=10", "near")]
    [InlineData("limit=0", "limit")]
    [InlineData("limit=5000", "limit")]
    [InlineData("limit=ten", "limit")]
    [InlineData("cursor=not-a-cursor", "cursor")]
    [InlineData("colour=red", "colour")]
    [InlineData("dimLevel<abc", "dimLevel")]
    [InlineData("feedOnline<1", "feedOnline")]
    [InlineData("feedOnline=maybe", "feedOnline")]
    [InlineData("mode=sideways", "mode")]
    [InlineData("type<pole", "type")]
    [InlineData("district=bad%20id", "district")]
    public void Every_bad_term_is_named(string query, string field) => Assert.Contains(field, Errors(query));

    [Fact]
    public void All_the_bad_terms_are_reported_at_once() =>
        Assert.Equal(["type", "limit", "colour"], Errors("type=tram&limit=0&colour=red"));

    [Fact]
    public void A_cursor_round_trips_and_a_distance_cursor_needs_near()
    {
        var cursor = new QueryCursor(123.456789, "pole-0001");
        Assert.Equal(cursor, QueryCursor.Decode(cursor.Encode()));
        Assert.Contains("cursor", Errors("cursor=" + cursor.Encode()));
        Assert.Equal(cursor, Parse("near=4.35,50.85&radius=300&cursor=" + cursor.Encode()).After);
    }
}
