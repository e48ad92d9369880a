using CityTwin.Domain.Assets;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using CityTwin.Domain.Serialization;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Ingest;

/// <summary>
/// Reads a batch of readings — a JSON array, NDJSON (one reading per line), or an MQTT payload for one asset — each a
/// <see cref="Telemetry"/> object plus its asset's <c>"id"</c>, with the product's JSON convention (unknown fields and
/// quoted numbers refused). Every bad reading is named, with its index (and line), not only the first, so a device
/// fleet's integrator fixes a batch in one round trip. Only the shape is checked here; whether a reading suits its
/// asset (type, ranges, clock) is the asset grain's business.
/// </summary>
public static class TelemetryBatchParser
{
    /// <summary>Telemetry's metadata with an extra <c>id</c> member that is type-checked (a string) and otherwise ignored.</summary>
    private static readonly JsonTypeInfo<Telemetry> ReadingInfo = CreateReadingInfo();

    public static TelemetryBatch ParseArray(ReadOnlySpan<byte> json, int maxReadings) => ParseArray(json, maxReadings, impliedId: null);

    public static TelemetryBatch ParseNdjson(ReadOnlySpan<byte> body, int maxReadings)
    {
        var readings = new List<TelemetryReading>();
        var errors = new List<BatchError>();
        var (index, line) = (0, 0);
        while (!body.IsEmpty)
        {
            line++;
            var end = body.IndexOf((byte)'\n');
            var text = end < 0 ? body : body[..end];
            body = end < 0 ? [] : body[(end + 1)..];
            if (text.Trim(" \t\r"u8).IsEmpty) continue; // blank lines (and a trailing newline) carry no reading
            if (readings.Count + errors.Count >= maxReadings) return new(readings, errors, TooMany: true);
            if (ReadOne(text, index, line, impliedId: null, errors) is { } reading) readings.Add(reading);
            index++;
        }
        return new(readings, errors, TooMany: false);
    }

    /// <summary>An MQTT payload for the asset its topic names: one reading or an array; an <c>id</c> in it, if any, must agree.</summary>
    public static TelemetryBatch ParseForAsset(ReadOnlySpan<byte> payload, string assetId, int maxReadings)
    {
        var trimmed = payload.TrimStart(" \t\r\n"u8);
        if (!trimmed.IsEmpty && trimmed[0] == (byte)'[') return ParseArray(payload, maxReadings, assetId);
        var errors = new List<BatchError>();
        var reading = ReadOne(payload, 0, null, assetId, errors);
        return new(reading is null ? [] : [reading], errors, TooMany: false);
    }

    private static TelemetryBatch ParseArray(ReadOnlySpan<byte> json, int maxReadings, string? impliedId) =>
        TryParseWellFormedArray(json, maxReadings, impliedId) ?? ParseArrayCarefully(json, maxReadings, impliedId);

    /// <summary>
    /// The usual batch in one pass: a JSON array of valid readings, each deserialised straight from the array with its
    /// id caught by the deserialiser. Null at the first thing that is not so — the batch is then read again the careful
    /// way, which names every problem; what this returns is what the careful way would (tested).
    /// </summary>
    private static TelemetryBatch? TryParseWellFormedArray(ReadOnlySpan<byte> json, int maxReadings, string? impliedId)
    {
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray) return null;
            var readings = new List<TelemetryReading>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (readings.Count >= maxReadings || reader.TokenType != JsonTokenType.StartObject) return null;
                _id = null;
                if (Reading(JsonSerializer.Deserialize(ref reader, ReadingInfo), impliedId) is not { } reading) return null;
                readings.Add(reading);
            }
            return reader.Read() ? null : new(readings, [], TooMany: false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>One reading in one pass (see <see cref="TryParseWellFormedArray"/>); null if it is not a valid one.</summary>
    private static TelemetryReading? TryReadWellFormed(ReadOnlySpan<byte> json, string? impliedId)
    {
        try
        {
            _id = null;
            return Reading(JsonSerializer.Deserialize(json, ReadingInfo), impliedId);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static TelemetryReading? Reading(Telemetry? telemetry, string? impliedId) =>
        telemetry is null || IdProblem(_id, impliedId) is not null ? null : new TelemetryReading(_id ?? impliedId!, telemetry);

    /// <summary>What is wrong with a reading's id (the one named in it, or the topic's), if anything: the rule both readers follow.</summary>
    private static string? IdProblem(string? id, string? impliedId) =>
        id is null && impliedId is null ? "is required (the asset id)"
        : id is not null && !Ids.IsValid(id) ? "is not a valid asset id"
        : id is not null && impliedId is not null && id != impliedId ? $"does not match the asset id '{impliedId}' of the topic"
        : null;

    /// <summary>The id the deserialiser met in the reading it is reading on this thread (<see cref="CreateReadingInfo"/>).</summary>
    [ThreadStatic]
    private static string? _id;

    private static TelemetryBatch ParseArrayCarefully(ReadOnlySpan<byte> json, int maxReadings, string? impliedId)
    {
        var readings = new List<TelemetryReading>();
        var errors = new List<BatchError>();
        var index = 0;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
                return new([], [new BatchError(0, null, null, "$", "must be a JSON array of readings")], TooMany: false);
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (index >= maxReadings) return new(readings, errors, TooMany: true);
                var start = (int)reader.TokenStartIndex;
                reader.Skip();
                if (ReadOne(json[start..(int)reader.BytesConsumed], index, null, impliedId, errors) is { } reading) readings.Add(reading);
                index++;
            }
            if (reader.Read()) throw new JsonException("content after the array");
        }
        catch (JsonException)
        {
            // The array itself is broken: what follows cannot be told apart into readings.
            errors.Add(new BatchError(index, null, null, "$", $"is not valid JSON (at byte {reader.BytesConsumed + 1} of the body)"));
        }
        return new(readings, errors, TooMany: false);
    }

    private static TelemetryReading? ReadOne(ReadOnlySpan<byte> json, int index, int? line, string? impliedId, List<BatchError> errors)
    {
        if (TryReadWellFormed(json, impliedId) is { } wellFormed) return wellFormed;
        string? id = null;
        var reader = new Utf8JsonReader(json);
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                errors.Add(new BatchError(index, line, null, "$", "must be a JSON object (a reading)"));
                return null;
            }
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isId = IsIdName(ref reader);
                reader.Read();
                if (isId && reader.TokenType == JsonTokenType.String) id = reader.GetString();
                reader.Skip();
            }
            if (reader.Read()) throw new JsonException("content after the reading");
        }
        catch (JsonException)
        {
            errors.Add(new BatchError(index, line, id, "$", $"is not valid JSON (at byte {reader.BytesConsumed + 1}{(line is null ? "" : " of the line")})"));
            return null;
        }

        var before = errors.Count;
        Telemetry? telemetry = null;
        try
        {
            telemetry = JsonSerializer.Deserialize(json, ReadingInfo);
        }
        catch (JsonException)
        {
            NameEveryBadMember(json, index, line, id, errors);
        }
        if (IdProblem(id, impliedId) is { } problem) errors.Add(new BatchError(index, line, id, "id", problem));
        return errors.Count > before || telemetry is null ? null : new TelemetryReading(id ?? impliedId!, telemetry);
    }

    /// <summary>Reads each member on its own so that every bad one is named, as the GeoJSON import does.</summary>
    private static void NameEveryBadMember(ReadOnlySpan<byte> json, int index, int? line, string? id, List<BatchError> errors)
    {
        var reader = new Utf8JsonReader(json);
        reader.Read();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            var start = (int)reader.TokenStartIndex;
            reader.Read();
            reader.Skip();
            var member = new byte[(int)reader.BytesConsumed - start + 2];
            (member[0], member[^1]) = ((byte)'{', (byte)'}');
            json[start..(int)reader.BytesConsumed].CopyTo(member.AsSpan(1));
            try
            {
                JsonSerializer.Deserialize(member, ReadingInfo);
            }
            catch (JsonException e)
            {
                var path = e.Path is null or "$" ? "" : e.Path[1..];
                errors.Add(new BatchError(index, line, id, path.Length == 0 ? "$" : path.TrimStart('.'), JsonExpectations.Describe(ReadingInfo, path)));
            }
        }
    }

    /// <summary>"id" in any case, as the web defaults match member names case-insensitively.</summary>
    private static bool IsIdName(ref Utf8JsonReader reader)
    {
        if (reader.ValueIsEscaped) return string.Equals(reader.GetString(), "id", StringComparison.OrdinalIgnoreCase);
        var name = reader.ValueSpan;
        return name.Length == 2 && (name[0] | 0x20) == 'i' && (name[1] | 0x20) == 'd';
    }

    private static JsonTypeInfo<Telemetry> CreateReadingInfo()
    {
        var options = new JsonSerializerOptions(CityTwinJson.Options);
        options.TypeInfoResolver = CityTwinJson.Options.TypeInfoResolver!.WithAddedModifier(static info =>
        {
            if (info.Type != typeof(Telemetry)) return;
            var id = info.CreateJsonPropertyInfo(typeof(string), "id");
            id.Set = static (_, value) => _id = (string?)value; // the one-pass readers take it from here; the careful one scans for it
            info.Properties.Add(id);
        });
        options.MakeReadOnly();
        return (JsonTypeInfo<Telemetry>)options.GetTypeInfo(typeof(Telemetry));
    }
}
