namespace CityTwin.Contracts.Access;

/// <summary>
/// The twin's API keys (as hashes) and data shares, one grain per twin (key <see cref="Key"/>). Changes are few and
/// reads are cached by every API process, which polls <see cref="GetIfNewerAsync"/>: a revocation reaches all of
/// them within their refresh interval.
/// </summary>
[Alias("IAccessGrain")]
public interface IAccessGrain : IGrainWithStringKey
{
    const string Key = "access";

    /// <summary>Stores a new key; false when its id is taken.</summary>
    [Alias("AddKey")]
    Task<bool> AddKeyAsync(ApiKeyRecord key);

    /// <summary>Stores the key unless one with its id exists (revoked or not): how a deployment's first admin key arrives.</summary>
    [Alias("EnsureKey")]
    Task EnsureKeyAsync(ApiKeyRecord key);

    /// <summary>The key as revoked now, or null when there is no such key.</summary>
    [Alias("RevokeKey")]
    Task<ApiKeyRecord?> RevokeKeyAsync(string id, string by);

    [Alias("AddShare")]
    Task<bool> AddShareAsync(DataShare share);

    [Alias("RevokeShare")]
    Task<DataShare?> RevokeShareAsync(string id, string by);

    /// <summary>The list when its version is newer than <paramref name="version"/>; null otherwise.</summary>
    [Alias("GetIfNewer")]
    Task<AccessList?> GetIfNewerAsync(long version);
}
