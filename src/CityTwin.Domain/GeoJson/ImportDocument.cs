using CityTwin.Domain.Assets;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.GeoJson;

/// <summary>
/// A parsed import file: the assets that parsed cleanly, the index of each one's feature in the file, and every
/// problem found. Callers apply nothing unless <see cref="Errors"/> is empty (and cross-asset rules pass).
/// </summary>
public sealed record ImportDocument(IReadOnlyList<Asset> Assets, IReadOnlyList<int> FeatureIndexes, IReadOnlyList<FeatureError> Errors)
{
    /// <summary>Adds the cross-asset errors (dependencies that do not resolve) to the per-feature ones.</summary>
    public List<FeatureError> AllErrors(Func<string, AssetType?> existingTypeOf)
    {
        var errors = Errors.ToList();
        errors.AddRange(CityValidator.Validate(Assets, existingTypeOf, FeatureIndexes));
        return errors.OrderBy(e => e.Index).ToList();
    }
}
