using CityTwin.Domain.Assets;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.GeoJson;

/// <summary>A parsed import file: its assets, and every problem found in it. Apply nothing unless Errors is empty.</summary>
public sealed record ImportDocument(IReadOnlyList<Asset> Assets, IReadOnlyList<FeatureError> Errors);
