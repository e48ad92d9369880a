using System.Text.Json;
using System.Text.Json.Serialization;
using CityTwin.Domain.Assets;
using CityTwin.Domain.Geo;
using CityTwin.Domain.Validation;

namespace CityTwin.Domain.Serialization;

/// <summary>
/// Source-generated metadata for the records that have no property initialisers: telemetry (the ingest hot path),
/// summaries and validation errors. <see cref="Asset"/> and its attribute records are deliberately NOT here: the
/// generator sets every init-only property from the JSON, so one the JSON leaves out gets null or 0 instead of the
/// record's default (a pole would arrive unpowered, with null sensors). Open in .NET 10: dotnet/runtime#84484.
/// <see cref="CityTwinJson.Options"/> serves those from reflection metadata, which honours initialisers.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(Telemetry))]
[JsonSerializable(typeof(Telemetry[]))]
[JsonSerializable(typeof(AssetSummary))]
[JsonSerializable(typeof(AssetSummary[]))]
[JsonSerializable(typeof(GeoPoint))]
[JsonSerializable(typeof(ValidationError))]
[JsonSerializable(typeof(List<ValidationError>))]
[JsonSerializable(typeof(FeatureError))]
[JsonSerializable(typeof(List<FeatureError>))]
internal sealed partial class CityTwinJsonContext : JsonSerializerContext;
