namespace CityTwin.Api.Ingest;

/// <summary><c>city/{district}/{type}/{id}/telemetry</c>, parsed; null when a topic does not have that shape.</summary>
public sealed record TelemetryTopic(string District, AssetType Type, string AssetId)
{
    public static TelemetryTopic? Parse(string? topic)
    {
        var parts = topic?.Split('/');
        if (parts is not ["city", var district, var type, var id, "telemetry"]) return null;
        if (!Ids.IsValid(district) || !Ids.IsValid(id)) return null;
        // Names only, case-insensitive ("pole", "camera", "intersection", "link"); never a number.
        if (type.Length == 0 || char.IsDigit(type[0]) || !Enum.TryParse<AssetType>(type, ignoreCase: true, out var assetType) || !Enum.IsDefined(assetType)) return null;
        return new TelemetryTopic(district, assetType, id);
    }
}
