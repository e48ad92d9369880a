namespace CityTwin.Contracts.Backhaul;

[GenerateSerializer, Immutable, Alias("DependentsPage")]
public sealed record DependentsPage(
    [property: Id(0)] int Total,
    [property: Id(1)] Dependent[] Items,
    [property: Id(2)] string? NextCursor);
