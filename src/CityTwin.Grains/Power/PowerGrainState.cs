namespace CityTwin.Grains.Power;

[GenerateSerializer, Alias("PowerGrainState")]
public sealed class PowerGrainState
{
    [Id(0)] public bool On { get; set; } = true;
    [Id(1)] public HashSet<string> FeedersOff { get; set; } = [];
    /// <summary>Asset id → its feeder ("" when it names none).</summary>
    [Id(2)] public Dictionary<string, string> Assets { get; set; } = [];
    [Id(3)] public long Version { get; set; }
    [Id(4)] public DateTimeOffset ChangedAt { get; set; }
    /// <summary>Written with an outage or restoration, cleared once every affected asset has heard of it.</summary>
    [Id(5)] public bool Pending { get; set; }
}
