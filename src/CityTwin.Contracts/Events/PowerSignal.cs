namespace CityTwin.Contracts.Events;

/// <summary>
/// Whether an asset's supply is live: its district's power and its feeder's. <paramref name="Version"/> is the district
/// power grid's version, written before the signal is sent, so a late signal never undoes a newer one.
/// </summary>
[GenerateSerializer, Immutable, Alias("PowerSignal")]
public sealed record PowerSignal(
    [property: Id(0)] bool Powered,
    [property: Id(1)] string? Cause,
    [property: Id(2)] long Version,
    [property: Id(3)] DateTimeOffset CauseAt);
