using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Ingest;
using CityTwin.Domain.Ingest;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Ingest;

/// <summary>
/// Sends readings into the cluster for the HTTP batch endpoint and the MQTT bridge alike. A batch is cut into
/// chunks by asset (all readings of one asset in the same chunk, so the chunk's worker applies them in timestamp
/// order); the chunks go out at once, each one message to a stateless worker that fans it out inside the silo.
/// A process-wide limit on chunks in flight is the back-pressure: a sender waits rather than queueing without bound.
/// </summary>
public sealed class TelemetryRouter(IGrainFactory grains, IOptions<IngestOptions> options, IngestMetrics metrics)
{
    private readonly SemaphoreSlim _inFlight = new(options.Value.MaxChunksInFlight);
    private readonly int _chunkReadings = Math.Max(1, options.Value.ChunkReadings);

    /// <summary>One result per reading, in the batch's positions; null where the cluster could not be reached.</summary>
    public async Task<TelemetryResult?[]> RouteAsync(IReadOnlyList<TelemetryReading> readings, string source, CancellationToken ct)
    {
        var results = new TelemetryResult?[readings.Count];
        if (readings.Count == 0) return results;
        var chunks = Chunk(readings);
        var sends = new List<Task>(chunks.Length);
        foreach (var positions in chunks)
        {
            if (positions.Count == 0) continue;
            await _inFlight.WaitAsync(ct);
            sends.Add(SendAsync(positions, readings, results));
        }
        await Task.WhenAll(sends);

        var (applied, stale) = (0, 0);
        foreach (var r in results)
        {
            if (r?.Outcome == TelemetryOutcome.Applied) applied++;
            else if (r?.Outcome == TelemetryOutcome.Stale) stale++;
        }
        metrics.Readings(source, applied, stale, readings.Count - applied - stale);
        return results;
    }

    /// <summary>By a hash of the asset id: one asset's readings land in one chunk, and chunks come out about even.</summary>
    private List<int>[] Chunk(IReadOnlyList<TelemetryReading> readings)
    {
        var count = (readings.Count + _chunkReadings - 1) / _chunkReadings;
        var chunks = new List<int>[count];
        for (var c = 0; c < count; c++) chunks[c] = new List<int>(readings.Count / count + 16);
        for (var i = 0; i < readings.Count; i++)
            chunks[count == 1 ? 0 : (int)((uint)readings[i].AssetId.GetHashCode() % (uint)count)].Add(i);
        return chunks;
    }

    private async Task SendAsync(List<int> positions, IReadOnlyList<TelemetryReading> readings, TelemetryResult?[] results)
    {
        try
        {
            var chunk = new TelemetryReading[positions.Count];
            for (var k = 0; k < chunk.Length; k++) chunk[k] = readings[positions[k]];
            var answers = await grains.GetGrain<ITelemetryIngestGrain>(0).ApplyAsync(chunk);
            for (var k = 0; k < answers.Length; k++) results[positions[k]] = answers[k];
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // The chunk's results stay null: reported as unavailable (send again), never as a failed request.
        }
        finally
        {
            _inFlight.Release();
        }
    }
}
