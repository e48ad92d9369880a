namespace CityTwin.Contracts.Alarms;

/// <summary>
/// What a district knows of active root causes: the roots its active consequential alarms cite, and the active root
/// alarms it holds (root id → the root asset's type, for the caller's scope). A consequence is suppressed where
/// both meet, whichever districts they are in.
/// </summary>
[GenerateSerializer, Immutable, Alias("AlarmRootsPart")]
public sealed record AlarmRootsPart(
    [property: Id(0)] string[] Cited,
    [property: Id(1)] Dictionary<string, AssetType> Raised);
