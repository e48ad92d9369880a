namespace CityTwin.Grains.Alarms;

[GenerateSerializer, Alias("AlarmBoardGrainState")]
public sealed class AlarmBoardGrainState
{
    [Id(0)] public HashSet<string> Watched { get; set; } = [];
}
