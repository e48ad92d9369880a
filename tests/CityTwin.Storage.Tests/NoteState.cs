namespace CityTwin.Storage.Tests;

/// <summary>A [GenerateSerializer] record, as the twin's grain states are: the binary storage format must carry it.</summary>
[GenerateSerializer, Alias("CityTwin.Storage.Tests.NoteState")]
public sealed record NoteState
{
    [Id(0)] public string Text { get; init; } = "";
    [Id(1)] public int Writes { get; init; }
}
