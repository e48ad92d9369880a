namespace CityTwin.Contracts.Power;

[GenerateSerializer, Immutable, Alias("PowerView")]
public sealed record PowerView(
    [property: Id(0)] string District,
    [property: Id(1)] bool On,
    [property: Id(2)] string[] Feeders,
    [property: Id(3)] string[] FeedersOff,
    [property: Id(4)] int Assets,
    [property: Id(5)] long Version);
