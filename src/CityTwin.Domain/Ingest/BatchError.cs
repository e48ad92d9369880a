namespace CityTwin.Domain.Ingest;

/// <summary>
/// Why one reading of a batch could not be read: its position (0-based index; for NDJSON also the 1-based line),
/// its asset id when it has a readable one, the field and why.
/// </summary>
public sealed record BatchError(int Index, int? Line, string? Id, string Field, string Message);
