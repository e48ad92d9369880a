namespace CityTwin.Domain.Validation;

/// <summary>What is wrong with one feature of an imported file: its position, its id if it has one, the field and why.</summary>
public sealed record FeatureError(int Index, string? AssetId, string Field, string Message);
