using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Ingest;

/// <summary>Groups a batch's readings by asset: each asset's positions in timestamp order (arrival order among equals).</summary>
public static class ReadingGroups
{
    public static Dictionary<string, int[]> Of(IReadOnlyList<TelemetryReading> readings)
    {
        // Most batches name each asset once: count first, so a lone reading costs one small array and no sort.
        var counts = new Dictionary<string, int>(readings.Count, StringComparer.Ordinal);
        foreach (var r in readings) counts[r.AssetId] = counts.GetValueOrDefault(r.AssetId) + 1;
        var groups = new Dictionary<string, int[]>(counts.Count, StringComparer.Ordinal);
        var filled = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < readings.Count; i++)
        {
            var id = readings[i].AssetId;
            var count = counts[id];
            if (count == 1)
            {
                groups[id] = [i];
                continue;
            }
            if (!groups.TryGetValue(id, out var positions)) groups[id] = positions = new int[count];
            var k = filled.GetValueOrDefault(id);
            positions[k] = i;
            filled[id] = k + 1;
        }
        foreach (var positions in groups.Values)
            if (positions.Length > 1) Array.Sort(positions, (a, b) => Compare(readings, a, b));
        return groups;
    }

    /// <summary>
    /// By timestamp; a reading without one is stamped on arrival at its asset, i.e. newest, so it goes last. Equal
    /// timestamps keep their order in the batch.
    /// </summary>
    private static int Compare(IReadOnlyList<TelemetryReading> readings, int a, int b)
    {
        var (ta, tb) = (readings[a].Telemetry.Timestamp, readings[b].Telemetry.Timestamp);
        var byTime = (ta, tb) switch
        {
            (null, null) => 0,
            (null, _) => 1,
            (_, null) => -1,
            _ => ta.Value.CompareTo(tb.Value),
        };
        return byTime != 0 ? byTime : a.CompareTo(b);
    }
}
