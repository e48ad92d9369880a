namespace CityTwin.Grains;

/// <summary>Cursor paging over ids in ordinal order: a page starts after the cursor id, so pages stay stable as ids come and go.</summary>
internal static class Paging
{
    public static (string[] Page, string? Next) After(string[] sortedIds, string? cursor, int limit)
    {
        var start = cursor is null ? 0 : FirstAfter(sortedIds, cursor);
        var page = sortedIds.AsSpan(start, Math.Min(Math.Max(limit, 0), sortedIds.Length - start)).ToArray();
        var next = start + page.Length < sortedIds.Length && page.Length > 0 ? page[^1] : null;
        return (page, next);
    }

    private static int FirstAfter(string[] ids, string cursor)
    {
        var i = Array.BinarySearch(ids, cursor, StringComparer.Ordinal);
        return i >= 0 ? i + 1 : ~i;
    }
}
