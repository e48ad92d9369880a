namespace CityTwin.Grains.Assets;

[GenerateSerializer, Alias("AssetGrainState")]
public sealed class AssetGrainState
{
    [Id(0)] public Asset? Asset { get; set; }
    /// <summary>The sequence of the asset's last published change; the next is max(this + 1, clock ticks).</summary>
    [Id(1)] public long Sequence { get; set; }
}
