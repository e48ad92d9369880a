using System.Text.Json.Serialization;

namespace CityTwin.Domain.Validation;

/// <summary>
/// What is wrong with one feature of an imported file: its position, its id if it has one (written as null if not, so
/// every error in a problem's <c>errors</c> has the same members), the field and why.
/// </summary>
public sealed record FeatureError(int Index, [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? AssetId, string Field, string Message);
