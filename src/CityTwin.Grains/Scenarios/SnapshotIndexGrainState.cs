namespace CityTwin.Grains.Scenarios;

[GenerateSerializer, Alias("SnapshotIndexGrainState")]
public sealed class SnapshotIndexGrainState
{
    /// <summary>At most <see cref="Contracts.Scenarios.ISnapshotIndexGrain.Capacity"/>, in ordinal order.</summary>
    [Id(0)] public List<string> Names { get; set; } = [];
}
