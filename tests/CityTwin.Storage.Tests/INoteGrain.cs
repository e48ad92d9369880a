namespace CityTwin.Storage.Tests;

[Alias("CityTwin.Storage.Tests.INoteGrain")]
public interface INoteGrain : IGrainWithStringKey
{
    [Alias("Write")] Task Write(string text);
    [Alias("Read")] Task<NoteState> Read();
    /// <summary>The version the storage returned with the state (the ETag), to see it survive a restart.</summary>
    [Alias("ETag")] Task<string?> ETag();
}
