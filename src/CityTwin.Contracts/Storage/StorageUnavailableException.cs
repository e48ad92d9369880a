namespace CityTwin.Contracts.Storage;

/// <summary>
/// The twin's database refused or did not answer (PostgreSQL down, a SQLite file locked or read-only). Thrown by the
/// silo in place of the driver's own exception, whose type the API may not be able to deserialize, so every caller
/// sees one serializable fault it can answer with 503: what was asked was not stored.
/// </summary>
[GenerateSerializer, Alias("StorageUnavailableException")]
public sealed class StorageUnavailableException : Exception
{
    public StorageUnavailableException() { }

    public StorageUnavailableException(string message) : base(message) { }

    public StorageUnavailableException(string message, Exception inner) : base(message, inner) { }

    /// <summary>In place of a driver's exception: its message kept, its stack left to the silo's log.</summary>
    public static StorageUnavailableException Because(Exception driverFault) => new($"The twin's database is unavailable: {driverFault.Message}");
}
