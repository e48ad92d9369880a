using CityTwin.Domain.Assets;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// A parsed import file: the assets whose features passed every per-feature check, the index of each one's
/// feature in the file, and every problem found. Nothing may be applied unless <see cref="Errors"/> is empty
/// (and <see cref="AllErrors"/> finds no dangling dependency): the file is all or nothing, and the good assets
/// are kept only so that one round trip also reports their cross-asset errors.
/// </summary>
public sealed record ImportDocument(IReadOnlyList<Asset> Assets, IReadOnlyList<int> FeatureIndexes, IReadOnlyList<FeatureError> Errors)
{
    /// <summary>The type of each rejected feature that had an id and a known type.</summary>
    internal IReadOnlyDictionary<string, AssetType> RejectedTypes { get; init; } = new Dictionary<string, AssetType>();

    /// <summary>The per-feature errors plus the cross-asset ones (dependencies that do not resolve), by feature index.</summary>
    public List<FeatureError> AllErrors(Func<string, AssetType?> existingTypeOf)
    {
        // A reference to a feature that failed its own checks is not also "unknown": that feature is already reported.
        var errors = CityValidator.Validate(Assets, id => RejectedTypes.TryGetValue(id, out var t) ? t : existingTypeOf(id), FeatureIndexes);
        errors.AddRange(Errors);
        return [.. errors.OrderBy(e => e.Index)];
    }

    internal static ImportDocument Failed(string message) => new([], [], [new FeatureError(-1, null, "$", message)]);
}
