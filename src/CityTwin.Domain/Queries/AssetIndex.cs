namespace CityTwin.Domain.Queries;

/// <summary>
/// Query evaluation over one partition of the read model and the merge of partitions' pages. Pages are keyset
/// pages (distance, id): a cursor is a position in that order, not an offset, so assets that change between two
/// pages never make another asset appear twice or be skipped.
/// </summary>
public static class AssetIndex
{
    /// <summary>
    /// Up to <see cref="AssetQuery.Limit"/> hits of one partition after the query's cursor. <paramref name="sortedIds"/>
    /// holds the partition's ids in ordinal order; <paramref name="lookup"/> gives each one's entry.
    /// </summary>
    public static PartitionPage Search(string district, IReadOnlyList<string> sortedIds, Func<string, IndexedAsset> lookup, AssetQuery query)
    {
        var limit = query.Limit;
        if (query.Near is null)
        {
            // Id order: walk from the cursor and stop after one more than a page.
            var hits = new List<AssetHit>(Math.Min(limit, 256));
            for (var i = query.After is { } after ? FirstAfter(sortedIds, after.Id) : 0; i < sortedIds.Count; i++)
            {
                var asset = lookup(sortedIds[i]);
                if (!query.Matches(asset, out _)) continue;
                if (hits.Count == limit) return new PartitionPage([.. hits], true);
                hits.Add(new AssetHit(asset.Summary, district, asset.Attributes, 0));
            }
            return new PartitionPage([.. hits], false);
        }

        // Distance order: every match is a candidate; keep the nearest page (+1 to know whether more remain).
        var matches = new List<AssetHit>();
        for (var i = 0; i < sortedIds.Count; i++)
        {
            var asset = lookup(sortedIds[i]);
            if (!query.Matches(asset, out var d)) continue;
            var hit = new AssetHit(asset.Summary, district, asset.Attributes, d);
            if (query.After is { } after && hit.Key.CompareTo(after) <= 0) continue;
            matches.Add(hit);
        }
        matches.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        return matches.Count > limit ? new PartitionPage([.. matches.Take(limit)], true) : new PartitionPage([.. matches], false);
    }

    /// <summary>The first page across partitions: the smallest keys of all, and a cursor when any remain.</summary>
    public static QueryPage Merge(IEnumerable<PartitionPage> pages, int limit)
    {
        var all = new List<AssetHit>();
        var more = false;
        foreach (var page in pages)
        {
            all.AddRange(page.Hits);
            more |= page.More;
        }
        all.Sort(static (a, b) => a.Key.CompareTo(b.Key));
        if (all.Count > limit)
        {
            more = true;
            all.RemoveRange(limit, all.Count - limit);
        }
        return new QueryPage(all, more && all.Count > 0 ? all[^1].Key : null);
    }

    private static int FirstAfter(IReadOnlyList<string> sortedIds, string id)
    {
        int lo = 0, hi = sortedIds.Count;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(sortedIds[mid], id) <= 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
