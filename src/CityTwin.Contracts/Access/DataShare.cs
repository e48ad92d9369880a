namespace CityTwin.Contracts.Access;

/// <summary>
/// One department's data granted to another by an admin: the receiving department's callers also see (and, with an
/// operator role, command) these districts × types. Explicit, scoped and revocable.
/// </summary>
[GenerateSerializer, Immutable, Alias("DataShare")]
public sealed record DataShare
{
    [Id(0)] public required string Id { get; init; }
    /// <summary>The department whose data this is (a label for the record; the scope is what counts).</summary>
    [Id(1)] public required string From { get; init; }
    /// <summary>The department that receives it.</summary>
    [Id(2)] public required string To { get; init; }
    [Id(3)] public string[] Districts { get; init; } = [];
    [Id(4)] public AssetType[] Types { get; init; } = [];
    [Id(5)] public string? Reason { get; init; }
    [Id(6)] public DateTimeOffset CreatedAt { get; init; }
    [Id(7)] public string? CreatedBy { get; init; }
    [Id(8)] public DateTimeOffset? RevokedAt { get; init; }
    [Id(9)] public string? RevokedBy { get; init; }
}
