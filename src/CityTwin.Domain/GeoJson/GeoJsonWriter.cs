using System.Buffers;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Serialization;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// Writes assets as an RFC 7946 FeatureCollection, one Point Feature per asset, streaming: features go into a
/// buffer that is copied to the stream asynchronously every 64 KiB, so memory stays flat however large the city,
/// and an HTTP response body (which refuses synchronous writes) can be the stream.
/// </summary>
public static class GeoJsonWriter
{
    private const int FlushBytes = 64 * 1024;
    private static readonly JsonTypeInfo<FeatureProperties> PropertiesInfo = (JsonTypeInfo<FeatureProperties>)CityTwinJson.Options.GetTypeInfo(typeof(FeatureProperties));

    public static async Task WriteAsync(Stream stream, IAsyncEnumerable<Asset> assets, CancellationToken cancellationToken)
    {
        var buffer = new ArrayBufferWriter<byte>(2 * FlushBytes);
        using var writer = Begin(buffer);
        await foreach (var asset in assets.WithCancellation(cancellationToken))
        {
            Feature(writer, asset);
            if (writer.BytesPending + buffer.WrittenCount >= FlushBytes) await DrainAsync(writer, buffer, stream, cancellationToken);
        }
        End(writer);
        await DrainAsync(writer, buffer, stream, cancellationToken);
    }

    public static Task WriteAsync(Stream stream, IEnumerable<Asset> assets, CancellationToken cancellationToken) =>
        WriteAsync(stream, assets.ToAsyncEnumerable(), cancellationToken);

    private static async ValueTask DrainAsync(Utf8JsonWriter writer, ArrayBufferWriter<byte> buffer, Stream stream, CancellationToken ct)
    {
        writer.Flush(); // into the buffer, never the stream
        await stream.WriteAsync(buffer.WrittenMemory, ct);
        buffer.ResetWrittenCount();
    }

    private static Utf8JsonWriter Begin(ArrayBufferWriter<byte> buffer)
    {
        var writer = new Utf8JsonWriter(buffer);
        writer.WriteStartObject();
        writer.WriteString("type"u8, "FeatureCollection"u8);
        writer.WriteStartArray("features"u8);
        return writer;
    }

    private static void End(Utf8JsonWriter writer)
    {
        writer.WriteEndArray();
        writer.WriteEndObject();
    }

    private static void Feature(Utf8JsonWriter writer, Asset asset)
    {
        writer.WriteStartObject();
        writer.WriteString("type"u8, "Feature"u8);
        writer.WriteString("id"u8, asset.Id);
        writer.WriteStartObject("geometry"u8);
        writer.WriteString("type"u8, "Point"u8);
        writer.WriteStartArray("coordinates"u8);
        writer.WriteNumberValue(asset.Location.Lon);
        writer.WriteNumberValue(asset.Location.Lat);
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WritePropertyName("properties"u8);
        JsonSerializer.Serialize(writer, FeatureProperties.Of(asset), PropertiesInfo);
        writer.WriteEndObject();
    }
}
