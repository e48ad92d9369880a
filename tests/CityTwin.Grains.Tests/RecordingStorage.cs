using System.Collections.Concurrent;
using Orleans.Runtime;
using Orleans.Serialization;
using Orleans.Storage;

namespace CityTwin.Grains.Tests;

/// <summary>
/// In-memory grain storage that keeps serialized copies (so what is read back went through the real
/// serializer) and counts writes per grain, to observe write-through and write-behind. The data outlives a silo
/// (it belongs to the test fixture), so a restarted silo reads what the previous one wrote.
/// </summary>
public sealed class RecordingStorage(Serializer serializer, ConcurrentDictionary<(string, GrainId), byte[]> data) : IGrainStorage
{
    private readonly ConcurrentDictionary<(string, GrainId), byte[]> _data = data;
    private readonly ConcurrentDictionary<GrainId, int> _writes = new();

    public int WritesOf(GrainId grain) => _writes.GetValueOrDefault(grain);

    public T? Stored<T>(string stateName, GrainId grain) =>
        _data.TryGetValue((stateName, grain), out var bytes) ? serializer.Deserialize<T>(bytes) : default;

    public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        if (_data.TryGetValue((stateName, grainId), out var bytes))
        {
            grainState.State = serializer.Deserialize<T>(bytes);
            grainState.RecordExists = true;
            grainState.ETag = "1";
        }
        return Task.CompletedTask;
    }

    public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _data[(stateName, grainId)] = serializer.SerializeToArray(grainState.State);
        _writes.AddOrUpdate(grainId, 1, (_, n) => n + 1);
        grainState.RecordExists = true;
        return Task.CompletedTask;
    }

    public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState)
    {
        _data.TryRemove((stateName, grainId), out _);
        grainState.RecordExists = false;
        return Task.CompletedTask;
    }
}
