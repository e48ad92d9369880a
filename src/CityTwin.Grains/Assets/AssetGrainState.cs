using CityTwin.Contracts.Assets;
namespace CityTwin.Grains.Assets;

[GenerateSerializer, Alias("AssetGrainState")]
public sealed class AssetGrainState
{
    [Id(0)] public Asset? Asset { get; set; }
    /// <summary>The sequence of the asset's last published change; the next is max(this + 1, clock ticks).</summary>
    [Id(1)] public long Sequence { get; set; }
    /// <summary>The asset's state-change log, oldest first, pruned to the retention; null until the first change.</summary>
    [Id(2)] public List<StateChange>? History { get; set; }
}
