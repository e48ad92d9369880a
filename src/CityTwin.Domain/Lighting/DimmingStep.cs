namespace CityTwin.Domain.Lighting;

/// <summary>At a local clock time during the night (hours, 0–24), the light output becomes this percentage (null: each pole's own level).</summary>
[GenerateSerializer, Immutable, Alias("DimmingStep")]
public sealed record DimmingStep([property: Id(0)] double AtHour, [property: Id(1)] double? LevelPercent);
