using System.Text.Json;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Serialization;

namespace CityTwin.Domain.GeoJson;

/// <summary>Writes assets as an RFC 7946 FeatureCollection, streaming: memory stays flat however large the city.</summary>
public static class GeoJsonWriter
{
    private const int FlushBytes = 64 * 1024;

    public static async Task WriteAsync(Stream stream, IAsyncEnumerable<Asset> assets, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        Begin(writer);
        await foreach (var asset in assets.WithCancellation(cancellationToken))
        {
            Feature(writer, asset);
            if (writer.BytesPending > FlushBytes) await writer.FlushAsync(cancellationToken);
        }
        End(writer);
        await writer.FlushAsync(cancellationToken);
    }

    public static async Task WriteAsync(Stream stream, IEnumerable<Asset> assets, CancellationToken cancellationToken)
    {
        await using var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { SkipValidation = true });
        Begin(writer);
        foreach (var asset in assets)
        {
            Feature(writer, asset);
            if (writer.BytesPending > FlushBytes) await writer.FlushAsync(cancellationToken);
        }
        End(writer);
        await writer.FlushAsync(cancellationToken);
    }

    private static void Begin(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "FeatureCollection");
        writer.WriteStartArray("features");
    }

    private static void End(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Feature(Utf8JsonWriter writer, Asset asset)
    {
        writer.WriteStartObject();
        writer.WriteString("type", "Feature");
        writer.WriteString("id", asset.Id);
        writer.WriteStartObject("geometry");
        writer.WriteString("type", "Point");
        writer.WriteStartArray("coordinates");
        writer.WriteNumberValue(asset.Location.Lon);
        writer.WriteNumberValue(asset.Location.Lat);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WritePropertyName("properties");
        JsonSerializer.Serialize(writer, FeatureProperties.Of(asset), CityTwinJson.Options);
        writer.WriteEndObject();
    }
}
