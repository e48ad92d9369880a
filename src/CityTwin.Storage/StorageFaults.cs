using System.Data.Common;

namespace CityTwin.Storage;

/// <summary>Which exceptions mean "the database is unavailable" rather than a bug: they pass once it is back.</summary>
public static class StorageFaults
{
    /// <summary>A driver's exception (PostgreSQL refused, down or slow; SQLite busy, locked or read-only), anywhere in the chain.</summary>
    public static bool IsStorageFault(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is DbException) return true;
            if (e is AggregateException { InnerExceptions.Count: > 0 } many) return many.InnerExceptions.All(IsStorageFault);
        }
        return false;
    }
}
