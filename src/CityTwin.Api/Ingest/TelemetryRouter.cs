using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Domain.Ingest;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Ingest;

/// <summary>
/// Sends readings into the cluster for the HTTP endpoints and the MQTT bridge alike, to the districts that hold their
/// assets' live telemetry (<see cref="IDistrictGrain.ApplyTelemetryAsync"/>): a batch is cut by district, and a
/// district's share into chunks by asset (all readings of one asset in the same chunk, so they are applied in
/// timestamp order); the chunks go out at once, each one message applied in one turn. A process-wide limit on chunks
/// in flight is the back-pressure: a sender waits rather than queueing without bound.
/// </summary>
public sealed class TelemetryRouter(IGrainFactory grains, AssetPlaces places, IOptions<IngestOptions> options, IngestMetrics metrics)
{
    private readonly SemaphoreSlim _inFlight = new(options.Value.MaxChunksInFlight);
    private readonly int _chunkReadings = Math.Max(1, options.Value.ChunkReadings);

    /// <summary>One result per reading, in the batch's positions; null where the cluster could not be reached.</summary>
    public async Task<TelemetryResult?[]> RouteAsync(IReadOnlyList<TelemetryReading> readings, string source, CancellationToken ct)
    {
        var results = new TelemetryResult?[readings.Count];
        if (readings.Count == 0) return results;
        var placed = new AssetPlace?[readings.Count];
        List<int>? unknown = null;
        for (var i = 0; i < readings.Count; i++)
        {
            if (places.TryRemembered(readings[i].AssetId, out var place)) placed[i] = place;
            else (unknown ??= []).Add(i);
        }
        if (unknown is not null)
        {
            try
            {
                var asked = await places.ForRoutingAsync(unknown.Select(i => readings[i].AssetId), ct);
                foreach (var i in unknown) placed[i] = asked[readings[i].AssetId];
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                metrics.Readings(source, 0, 0, readings.Count);
                return results; // the cluster could not say where they go: all unavailable, send again
            }
        }

        var byDistrict = new Dictionary<string, List<int>>(StringComparer.Ordinal);
        for (var i = 0; i < readings.Count; i++)
        {
            if (placed[i] is not { } place)
            {
                results[i] = TelemetryResult.NotFound;
                continue;
            }
            if (!byDistrict.TryGetValue(place.District, out var positions)) byDistrict[place.District] = positions = [];
            positions.Add(i);
        }

        var sends = new List<Task>();
        foreach (var (district, positions) in byDistrict)
        {
            foreach (var chunk in Chunk(positions, readings))
            {
                if (chunk.Count == 0) continue;
                await _inFlight.WaitAsync(ct);
                sends.Add(SendAsync(district, chunk, readings, results));
            }
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
    private List<int>[] Chunk(List<int> positions, IReadOnlyList<TelemetryReading> readings)
    {
        var count = (positions.Count + _chunkReadings - 1) / _chunkReadings;
        if (count == 1) return [positions];
        var chunks = new List<int>[count];
        for (var c = 0; c < count; c++) chunks[c] = new List<int>(positions.Count / count + 16);
        foreach (var i in positions) chunks[(int)((uint)readings[i].AssetId.GetHashCode() % (uint)count)].Add(i);
        return chunks;
    }

    private async Task SendAsync(string district, List<int> positions, IReadOnlyList<TelemetryReading> readings, TelemetryResult?[] results)
    {
        try
        {
            var chunk = new TelemetryReading[positions.Count];
            for (var k = 0; k < chunk.Length; k++) chunk[k] = readings[positions[k]];
            var answers = await grains.GetGrain<IDistrictGrain>(district).ApplyTelemetryAsync(chunk);
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
