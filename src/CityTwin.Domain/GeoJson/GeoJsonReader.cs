using System.Buffers;
using System.Text.Json;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// Reads a GeoJSON FeatureCollection of assets (RFC 7946), streaming, and reports every bad feature — not just
/// the first — each with its index, id and field, so one round trip tells the sender everything to fix.
/// A document that is not JSON, or not a FeatureCollection, is one error with index −1.
/// </summary>
public static class GeoJsonReader
{
    private const int BufferBytes = 64 * 1024;

    public static async Task<ImportDocument> ReadAsync(Stream stream, CancellationToken cancellationToken)
    {
        var parser = new FeatureCollectionParser();
        var buffer = ArrayPool<byte>.Shared.Rent(BufferBytes);
        try
        {
            var length = 0;
            bool final;
            do
            {
                buffer = Room(buffer, length);
                var read = await stream.ReadAsync(buffer.AsMemory(length), cancellationToken);
                (length, final) = (length + read, read == 0);
                length = Keep(buffer, length, parser.Consume(buffer.AsSpan(0, length), final));
            } while (!final && !parser.Stopped);
            return parser.Result();
        }
        catch (JsonException e)
        {
            return Malformed(e);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static ImportDocument Malformed(JsonException e) =>
        ImportDocument.Failed($"is not valid JSON (line {e.LineNumber + 1}, byte {e.BytePositionInLine + 1})");

    /// <summary>A buffer with free space after the first <paramref name="length"/> bytes: a feature larger than the buffer doubles it.</summary>
    private static byte[] Room(byte[] buffer, int length)
    {
        if (length < buffer.Length) return buffer;
        var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
        buffer.AsSpan(0, length).CopyTo(larger);
        ArrayPool<byte>.Shared.Return(buffer);
        return larger;
    }

    /// <summary>Moves the bytes the parser has not used yet to the front of the buffer; returns their count.</summary>
    private static int Keep(byte[] buffer, int length, int consumed)
    {
        buffer.AsSpan(consumed, length - consumed).CopyTo(buffer);
        return length - consumed;
    }
}
