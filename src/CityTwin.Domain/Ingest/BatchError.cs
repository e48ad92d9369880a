using System.Text.Json.Serialization;

namespace CityTwin.Domain.Ingest;

/// <summary>
/// Why one reading of a batch could not be read: its position (0-based index; for NDJSON also the 1-based line),
/// its asset id when it has a readable one, the field and why. Line and id are written as null when unknown, so every
/// error in a problem's <c>errors</c> has the same members.
/// </summary>
public sealed record BatchError(
    int Index,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] int? Line,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Id,
    string Field,
    string Message);
