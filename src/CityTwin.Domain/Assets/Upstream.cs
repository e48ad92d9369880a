namespace CityTwin.Domain.Assets;

/// <summary>
/// What an asset last heard from the sources it depends on, with each source's sequence number so that a late or
/// duplicate signal never flips the state back. Owned by the twin: an import or upsert cannot set it.
/// </summary>
[GenerateSerializer, Immutable, Alias("Upstream")]
public sealed record Upstream
{
    /// <summary>The default for every asset: backhaul up, powered. Shared, since almost every asset holds it.</summary>
    public static readonly Upstream Normal = new();

    [Id(0)] public LinkCondition Backhaul { get; init; } = LinkCondition.Up;
    /// <summary>Sequence of the last applied signal of <see cref="BackhaulLinkId"/>.</summary>
    [Id(1)] public long BackhaulSequence { get; init; }
    /// <summary>The link the signal came from: a signal of another link (after a reconfiguration) starts afresh.</summary>
    [Id(2)] public string? BackhaulLinkId { get; init; }
    [Id(3)] public bool Powered { get; init; } = true;
    /// <summary>What cut the power: a feeder id or a district id.</summary>
    [Id(4)] public string? PowerCause { get; init; }
    [Id(5)] public long PowerVersion { get; init; }
}
