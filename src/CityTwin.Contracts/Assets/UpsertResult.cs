namespace CityTwin.Contracts.Assets;

[GenerateSerializer, Immutable, Alias("UpsertResult")]
public sealed record UpsertResult(
    [property: Id(0)] UpsertOutcome Outcome,
    [property: Id(1)] Asset? Asset,
    [property: Id(2)] ValidationError[] Errors);
