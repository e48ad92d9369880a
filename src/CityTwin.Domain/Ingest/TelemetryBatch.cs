namespace CityTwin.Domain.Ingest;

/// <summary>
/// A parsed batch: the readings in the order they came, or the errors that make it malformed (then nothing of it
/// may be applied). <see cref="TooMany"/> is set when the batch holds more readings than allowed; parsing stops there.
/// </summary>
public sealed record TelemetryBatch(IReadOnlyList<TelemetryReading> Readings, IReadOnlyList<BatchError> Errors, bool TooMany)
{
    public bool IsMalformed => Errors.Count > 0;
}
