using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Validation;

/// <summary>Rules across assets: every dependency names an asset — in the same file or already in the twin — of the right type.</summary>
public static class CityValidator
{
    /// <param name="featureIndexes">The file position of each asset, when the list skips bad features; else the list index.</param>
    public static List<FeatureError> Validate(IReadOnlyList<Asset> assets, Func<string, AssetType?> existingTypeOf, IReadOnlyList<int>? featureIndexes = null)
    {
        var inFile = new Dictionary<string, AssetType>(assets.Count, StringComparer.Ordinal);
        foreach (var a in assets) inFile[a.Id] = a.Type;
        AssetType? TypeOf(string id) => inFile.TryGetValue(id, out var t) ? t : existingTypeOf(id);

        var errors = new List<FeatureError>();
        for (var i = 0; i < assets.Count; i++)
            foreach (var e in AssetValidator.ValidateReferences(assets[i], TypeOf))
                errors.Add(new FeatureError(featureIndexes?[i] ?? i, assets[i].Id, "properties." + e.Field, e.Message));
        return errors;
    }
}
