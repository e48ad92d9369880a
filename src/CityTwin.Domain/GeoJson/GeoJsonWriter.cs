using System.Buffers;
using System.Text.Json;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Serialization;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// Writes assets as an RFC 7946 FeatureCollection, streaming: features are written into a buffer that is
/// copied to the stream asynchronously every 64 KiB, so memory stays flat however large the city and an
/// HTTP response body (which refuses synchronous writes) can be the stream.
/// </summary>
public static class GeoJsonWriter
{
    private const int FlushBytes = 64 * 1024;

    public static async Task WriteAsync(Stream stream, IAsyncEnumerable<Asset> assets, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(2 * FlushBytes);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        Begin(writer);
        await foreach (var asset in assets.WithCancellation(cancellationToken))
            await FeatureAsync(writer, buffer, stream, asset, cancellationToken);
        End(writer);
        await DrainAsync(writer, buffer, stream, cancellationToken);
    }

    public static async Task WriteAsync(Stream stream, IEnumerable<Asset> assets, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(2 * FlushBytes);
        using var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { SkipValidation = true });
        Begin(writer);
        foreach (var asset in assets)
            await FeatureAsync(writer, buffer, stream, asset, cancellationToken);
        End(writer);
        await DrainAsync(writer, buffer, stream, cancellationToken);
    }

    private static async ValueTask FeatureAsync(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, Stream stream, Asset asset, CancellationToken ct)
    {
        Feature(writer, asset);
        if (writer.BytesPending + buffer.WrittenCount > FlushBytes) await DrainAsync(writer, buffer, stream, ct);
    }

    private static async ValueTask DrainAsync(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, Stream stream, CancellationToken ct)
    {
        writer.Flush(); // into the buffer, not the stream
        await stream.WriteAsync(buffer.WrittenMemory, ct);
        buffer.ResetWrittenCount();
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
