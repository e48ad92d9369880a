namespace CityTwin.Grains.Districts;

[GenerateSerializer, Alias("DistrictGrainState")]
public sealed class DistrictGrainState
{
    [Id(0)] public Dictionary<string, DistrictMember> Assets { get; set; } = [];
    /// <summary>Sequences of assets that left for another district, so a late change from before the move is not applied.</summary>
    [Id(1)] public Dictionary<string, long> Departed { get; set; } = [];
}
