namespace CityTwin.Contracts.Access;

/// <summary>An API key as stored: who it is for and what it may do; of the key itself only its SHA-256.</summary>
[GenerateSerializer, Immutable, Alias("ApiKeyRecord")]
public sealed record ApiKeyRecord
{
    [Id(0)] public required string Id { get; init; }
    [Id(1)] public required string Name { get; init; }
    [Id(2)] public required string Role { get; init; }
    [Id(3)] public required string Hash { get; init; }
    /// <summary>The department it acts for (data shared with that department is visible to it); null: none.</summary>
    [Id(4)] public string? Department { get; init; }
    /// <summary>Empty: every district.</summary>
    [Id(5)] public string[] Districts { get; init; } = [];
    /// <summary>Empty: every type.</summary>
    [Id(6)] public AssetType[] Types { get; init; } = [];
    [Id(7)] public DateTimeOffset CreatedAt { get; init; }
    [Id(8)] public string? CreatedBy { get; init; }
    [Id(9)] public DateTimeOffset? ExpiresAt { get; init; }
    [Id(10)] public DateTimeOffset? RevokedAt { get; init; }
    [Id(11)] public string? RevokedBy { get; init; }

    public bool IsValidAt(DateTimeOffset now) => RevokedAt is null && (ExpiresAt is null || ExpiresAt > now);
}
