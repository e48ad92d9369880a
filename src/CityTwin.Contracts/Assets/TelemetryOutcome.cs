namespace CityTwin.Contracts.Assets;

[GenerateSerializer, Alias("TelemetryOutcome")]
public enum TelemetryOutcome
{
    Applied,
    /// <summary>Older than (or as old as) the newest reading already applied: ignored, never flips state back.</summary>
    Stale,
    NotFound,
    Invalid,
}
