namespace CityTwin.Domain.Scenarios;

/// <summary>
/// Demand estimated from the live counts in the snapshot (<c>"demand": {"fromTwin": {"window": "PT1H"}}</c>): each
/// camera's latest one-minute count received within <see cref="Window"/> before the newest count in the snapshot
/// counts its approach, and each intersection's latest reported flow the flow entering it; the synthetic demand of
/// the spec is the prior where nothing is counted.
/// </summary>
[GenerateSerializer, Alias("DemandFromTwin")]
public sealed record DemandFromTwin
{
    /// <summary>An ISO 8601 duration, PT1M to P1D.</summary>
    [Id(0)] public string Window { get; init; } = "PT1H";

    /// <summary>The window, or null when it is not an ISO 8601 duration.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public TimeSpan? WindowSpan
    {
        get
        {
            try { return System.Xml.XmlConvert.ToTimeSpan(Window); }
            catch (FormatException) { return null; }
            catch (OverflowException) { return null; }
        }
    }
}
