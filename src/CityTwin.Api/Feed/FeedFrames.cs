using System.Buffers;
using System.Text;
using System.Text.Json;
using CityTwin.Contracts.Alarms;
using CityTwin.Contracts.Events;
using CityTwin.Domain.Queries;
using CityTwin.Domain.Serialization;

namespace CityTwin.Api.Feed;

/// <summary>
/// Renders feed events as SSE frames (<c>id:</c>, <c>event:</c>, one <c>data:</c> line of JSON, blank line). Each
/// event is rendered once, however many subscribers receive it.
/// </summary>
public static class FeedFrames
{
    /// <summary>Where a client that missed events gets the current state again.</summary>
    public static readonly string[] Resync = ["/api/assets", "/api/stats"];

    private static readonly JsonWriterOptions Compact = new() { Indented = false, SkipValidation = true };

    public static byte[] Change(string id, string district, AssetChange change) => Frame(id, "change", json =>
    {
        var summary = change.Summary;
        json.WriteString("id", id);
        json.WriteString("district", district);
        json.WriteString("asset", summary.Id);
        json.WriteString("type", Camel(summary.Type.ToString()));
        json.WriteString("status", Camel(summary.Status.ToString()));
        if (change.Left) json.WriteBoolean("left", true);
        json.WriteStartObject("location");
        Number(json, "lon", summary.Location.Lon);
        Number(json, "lat", summary.Location.Lat);
        json.WriteEndObject();
        if (change.Attributes is { } values)
        {
            json.WriteStartObject("attributes");
            var attributes = AssetAttributes.Of(summary.Type);
            for (var i = 0; i < attributes.Count && i < values.Length; i++)
            {
                var attribute = attributes[i];
                switch (attribute.Kind)
                {
                    case AttributeKind.Boolean:
                        json.WriteBoolean(attribute.Name, values[i] != 0);
                        break;
                    case AttributeKind.Enum when values[i] >= 0 && values[i] < attribute.EnumNames.Length:
                        json.WriteString(attribute.Name, attribute.EnumNames[(int)values[i]]);
                        break;
                    default:
                        Number(json, attribute.Name, values[i]);
                        break;
                }
            }
            json.WriteEndObject();
        }
        json.WriteNumber("sequence", change.Sequence);
        json.WriteString("at", change.SentAt);
    });

    public static byte[] Alarm(string id, AlarmChange change) => Frame(id, "alarm", json =>
    {
        json.WriteString("id", id);
        json.WriteString("district", change.Alarm.District);
        json.WriteString("asset", change.Alarm.AssetId); // as on a change event, so a client reads both the same way
        json.WriteString("type", Camel(change.Alarm.AssetType.ToString()));
        json.WriteString("change", Camel(change.Kind.ToString()));
        json.WritePropertyName("alarm");
        JsonSerializer.Serialize(json, change.Alarm, CityTwinJson.Options);
        json.WriteString("at", change.SentAt);
    });

    /// <summary>
    /// A gap notice: events were missed. <paramref name="resumeAfter"/>: reconnecting with this Last-Event-ID replays
    /// them while the API still holds them; otherwise the client resyncs from the query API.
    /// </summary>
    public static byte[] Gap(string id, string reason, string detail, string? district = null, long? missed = null, string? resumeAfter = null) => Frame(id, "gap", json =>
    {
        json.WriteString("id", id);
        json.WriteString("reason", reason);
        if (district is not null) json.WriteString("district", district);
        if (missed is { } n) json.WriteNumber("missed", n);
        if (resumeAfter is not null) json.WriteString("resumeAfter", resumeAfter);
        json.WriteString("detail", detail);
        json.WriteStartArray("resync");
        foreach (var path in Resync) json.WriteStringValue(path);
        json.WriteEndArray();
    });

    public static byte[] Preamble(TimeSpan retry, string epoch) =>
        Encoding.UTF8.GetBytes($"retry: {(long)retry.TotalMilliseconds}\n: citytwin live feed {epoch}\n\n");

    public static readonly byte[] Heartbeat = ": heartbeat\n\n"u8.ToArray();

    private static byte[] Frame(string id, string type, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        buffer.Write(Encoding.UTF8.GetBytes($"id: {id}\nevent: {type}\ndata: "));
        using (var json = new Utf8JsonWriter(buffer, Compact))
        {
            json.WriteStartObject();
            body(json);
            json.WriteEndObject();
        }
        buffer.Write("\n\n"u8);
        return buffer.WrittenSpan.ToArray();
    }

    // JSON has no NaN or infinity: such a reading shows as null rather than breaking the frame.
    private static void Number(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value)) json.WriteNumber(name, value);
        else json.WriteNull(name);
    }

    private static string Camel(string name) => char.ToLowerInvariant(name[0]) + name[1..];
}
