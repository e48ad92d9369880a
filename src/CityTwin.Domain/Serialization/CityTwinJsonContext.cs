using System.Text.Json;
using System.Text.Json.Serialization;
using CityTwin.Domain.Assets;
using CityTwin.Domain.GeoJson;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Serialization;

/// <summary>Source-generated (reflection-free, fast) JSON metadata for the Domain's records.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Asset))]
[JsonSerializable(typeof(Telemetry))]
[JsonSerializable(typeof(Telemetry[]))]
[JsonSerializable(typeof(AssetSummary[]))]
[JsonSerializable(typeof(ValidationError[]))]
[JsonSerializable(typeof(FeatureError[]))]
[JsonSerializable(typeof(FeatureProperties))]
internal sealed partial class CityTwinJsonContext : JsonSerializerContext;
