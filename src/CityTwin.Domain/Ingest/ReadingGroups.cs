using System.Runtime.InteropServices;

namespace CityTwin.Domain.Ingest;

/// <summary>
/// Groups a batch's readings by asset: each asset's positions in timestamp order (arrival order among equals), the
/// assets in the order they first appear. The groups share one array of positions, so a batch that names each asset
/// once (the usual case) costs a few arrays, not one per asset.
/// </summary>
public static class ReadingGroups
{
    public static (string Id, ArraySegment<int> Positions)[] Of(IReadOnlyList<TelemetryReading> readings)
    {
        var n = readings.Count;
        var groupOf = new int[n];
        var sizes = new int[n];
        var groupIds = new Dictionary<string, int>(n, StringComparer.Ordinal);
        for (var i = 0; i < n; i++)
        {
            ref var group = ref CollectionsMarshal.GetValueRefOrAddDefault(groupIds, readings[i].AssetId, out var known);
            if (!known) group = groupIds.Count - 1;
            sizes[groupOf[i] = group]++;
        }

        var groups = new (string Id, ArraySegment<int> Positions)[groupIds.Count];
        var order = new int[n];
        var next = new int[groups.Length]; // where each group's next position goes
        Comparer<int>? byTime = null;
        for (int g = 0, start = 0; g < groups.Length; start += sizes[g++]) next[g] = start;
        for (var i = 0; i < n; i++) order[next[groupOf[i]]++] = i;
        for (int g = 0, start = 0; g < groups.Length; start += sizes[g++])
        {
            groups[g] = (readings[order[start]].AssetId, new ArraySegment<int>(order, start, sizes[g]));
            if (sizes[g] > 1) Array.Sort(order, start, sizes[g], byTime ??= Comparer<int>.Create((a, b) => Compare(readings, a, b)));
        }
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
