namespace CityTwin.Contracts.Streams;

/// <summary>The twin's one stream provider and its namespaces; each namespace's key says who listens.</summary>
public static class TwinStreams
{
    public const string Provider = "twin";

    /// <summary>Key: a LEO link id. A link's condition changes → the backhaul grain of that link (implicit).</summary>
    public const string Link = "link";

    /// <summary>Key: an intersection id. Its cameras' feed and counts → the intersection (implicit).</summary>
    public const string Detections = "detections";

    /// <summary>Key: a district id. Every asset change → the district aggregate and the district's alarms (implicit).</summary>
    public const string Changes = "changes";

    /// <summary>Key: a district id. Alarms raised, cleared, acknowledged → the city's alarm board (explicit, persisted subscription).</summary>
    public const string Alarms = "alarms";
}
