using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Grains.Scenarios;

[GenerateSerializer, Alias("SnapshotGrainState")]
public sealed class SnapshotGrainState
{
    [Id(0)] public SnapshotInfo? Info { get; set; }
    [Id(1)] public TwinSnapshot? Snapshot { get; set; }
}
