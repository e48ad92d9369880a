using CityTwin.Contracts.Assets;

namespace CityTwin.Api.Ingest;

/// <summary>What became of a reading the router sent: the asset's answer, or null when the cluster could not be reached.</summary>
public static class ReadingOutcome
{
    public const string Applied = "applied";
    public const string Stale = "stale";
    public const string Rejected = "rejected";

    public static string Of(TelemetryResult? result) => result?.Outcome switch
    {
        TelemetryOutcome.Applied => Applied,
        TelemetryOutcome.Stale => Stale,
        _ => Rejected,
    };
}
