using System.Text;
using CityTwin.Domain.Ingest;

namespace CityTwin.Domain.Tests;

/// <summary>
/// A well-formed batch is read in one pass; anything else is read again carefully, naming every problem. Both must
/// agree: the same readings from a good batch, and every error of a bad one.
/// </summary>
public sealed class TelemetryBatchParserTests
{
    private static TelemetryBatch Array(string json, int max = 100) => TelemetryBatchParser.ParseArray(Encoding.UTF8.GetBytes(json), max);

    [Fact]
    public void A_well_formed_batch_gives_every_reading_with_its_id_and_values()
    {
        var batch = Array("""[{"id":"pole-1","timestamp":"2026-12-02T08:00:00Z","dimLevel":40},{"ID":"cam-2","vehicleCount":12},{"vehicleCount":3,"id":"cam-3"}]""");

        Assert.False(batch.IsMalformed);
        Assert.Equal(["pole-1", "cam-2", "cam-3"], batch.Readings.Select(r => r.AssetId));
        Assert.Equal(40, batch.Readings[0].Telemetry.DimLevel);
        Assert.Equal(new DateTimeOffset(2026, 12, 2, 8, 0, 0, TimeSpan.Zero), batch.Readings[0].Telemetry.Timestamp);
        Assert.Equal([12, 3], batch.Readings.Skip(1).Select(r => r.Telemetry.VehicleCount!.Value));
        Assert.Empty(Array("[]").Readings);
    }

    [Theory]
    [InlineData("""[{"id":"pole-1","dimLevel":40},{"dimLevel":41}]""", 1, "id", "is required (the asset id)")]
    [InlineData("""[{"id":"pole-1","dimLevel":40},{"id":"no spaces","dimLevel":41}]""", 1, "id", "is not a valid asset id")]
    [InlineData("""[{"id":"pole-1","dimLevel":40},{"id":"pole-2","dimLevel":"bright"}]""", 1, "dimLevel", null)]
    [InlineData("""[{"id":"pole-1","dimLevel":40},{"id":"pole-2","colour":"red"}]""", 1, "colour", null)]
    [InlineData("""[{"id":"pole-1","dimLevel":40},42]""", 1, "$", "must be a JSON object (a reading)")]
    public void A_bad_reading_is_named_and_the_good_ones_are_still_read(string json, int index, string field, string? message)
    {
        var batch = Array(json);

        var error = Assert.Single(batch.Errors);
        Assert.Equal((index, field), (error.Index, error.Field));
        if (message is not null) Assert.Equal(message, error.Message);
        Assert.Equal("pole-1", Assert.Single(batch.Readings).AssetId);
    }

    [Fact]
    public void Broken_json_and_too_many_readings_are_the_batch_s_errors()
    {
        Assert.Equal("$", Assert.Single(Array("""[{"id":"pole-1","dimLevel":40},{"id":""").Errors).Field);
        Assert.Equal("$", Assert.Single(Array("""{"id":"pole-1"}""").Errors).Field);
        Assert.True(Array("""[{"id":"pole-1"},{"id":"pole-2"},{"id":"pole-3"}]""", max: 2).TooMany);
        Assert.False(Array("""[{"id":"pole-1"},{"id":"pole-2"}]""", max: 2).TooMany);
    }

    [Fact]
    public void A_topics_readings_take_its_asset_id_and_refuse_another()
    {
        var payload = Encoding.UTF8.GetBytes("""[{"dimLevel":40},{"id":"pole-9","dimLevel":41}]""");

        var batch = TelemetryBatchParser.ParseForAsset(payload, "pole-9", 100);
        Assert.Equal(["pole-9", "pole-9"], batch.Readings.Select(r => r.AssetId));

        var other = TelemetryBatchParser.ParseForAsset(Encoding.UTF8.GetBytes("""{"id":"pole-8","dimLevel":41}"""), "pole-9", 100);
        Assert.Equal("does not match the asset id 'pole-9' of the topic", Assert.Single(other.Errors).Message);
        Assert.Empty(other.Readings);
    }

    [Fact]
    public void Ndjson_lines_are_read_one_by_one_and_a_bad_line_is_named_by_its_number()
    {
        var body = Encoding.UTF8.GetBytes("{\"id\":\"pole-1\",\"dimLevel\":40}\n\n{\"id\":\"pole-2\",\"dimLevel\":101,\"x\":1}\n{\"id\":\"pole-3\"}\n");

        var batch = TelemetryBatchParser.ParseNdjson(body, 100);

        Assert.Equal(["pole-1", "pole-3"], batch.Readings.Select(r => r.AssetId));
        var error = Assert.Single(batch.Errors);
        Assert.Equal((1, 3, "x"), (error.Index, error.Line, error.Field));
    }
}
