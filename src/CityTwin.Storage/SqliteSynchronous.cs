namespace CityTwin.Storage;

/// <summary>SQLite's <c>PRAGMA synchronous</c> levels that keep a committed write across a process crash.</summary>
public enum SqliteSynchronous
{
    Normal,
    Full,
}
