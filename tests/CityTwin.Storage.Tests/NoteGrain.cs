using Orleans.Runtime;

namespace CityTwin.Storage.Tests;

public sealed class NoteGrain([PersistentState("s", StorageNames.Assets)] IPersistentState<NoteState> state) : Grain, INoteGrain
{
    public Task Write(string text)
    {
        state.State = new NoteState { Text = text, Writes = state.State.Writes + 1 };
        return state.WriteStateAsync();
    }

    public Task<NoteState> Read() => Task.FromResult(state.State);

    public Task<string?> ETag() => Task.FromResult(state.Etag);
}
