namespace CityTwin.Contracts.Assets;

[GenerateSerializer, Immutable, Alias("TelemetryResult")]
public sealed record TelemetryResult(
    [property: Id(0)] TelemetryOutcome Outcome,
    [property: Id(1)] ValidationError[] Errors)
{
    public static readonly TelemetryResult Applied = new(TelemetryOutcome.Applied, []);
    public static readonly TelemetryResult Stale = new(TelemetryOutcome.Stale, []);
    public static readonly TelemetryResult NotFound = new(TelemetryOutcome.NotFound, []);
}
