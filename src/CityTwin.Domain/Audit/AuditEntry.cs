namespace CityTwin.Domain.Audit;

/// <summary>One command as the audit log keeps it. <see cref="Outcome"/> is "pending" until the command has answered.</summary>
[GenerateSerializer, Immutable, Alias("AuditEntry")]
public sealed record AuditEntry
{
    [Id(0)] public long Seq { get; init; }
    [Id(1)] public DateTimeOffset At { get; init; }
    [Id(2)] public required string Actor { get; init; }
    [Id(3)] public required string ActorName { get; init; }
    [Id(4)] public required string Role { get; init; }
    [Id(5)] public required string Action { get; init; }
    [Id(6)] public required string Target { get; init; }
    [Id(7)] public string? Before { get; init; }
    [Id(8)] public string? After { get; init; }
    [Id(9)] public string Outcome { get; init; } = Pending;
    [Id(10)] public string? Detail { get; init; }

    public const string Pending = "pending";
}

/// <summary>Which entries, newest first: all parts optional; <see cref="BeforeSeq"/> continues a previous page.</summary>
[GenerateSerializer, Immutable, Alias("AuditQuery")]
public sealed record AuditQuery(
    [property: Id(0)] string? Actor = null,
    [property: Id(1)] string? Target = null,
    [property: Id(2)] string? Action = null,
    [property: Id(3)] DateTimeOffset? Since = null,
    [property: Id(4)] DateTimeOffset? Until = null,
    [property: Id(5)] long? BeforeSeq = null,
    [property: Id(6)] int Limit = 100);
