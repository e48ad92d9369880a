namespace CityTwin.Storage;

/// <summary>One command as the audit log keeps it. <see cref="Outcome"/> is "pending" until the command has answered.</summary>
public sealed record AuditEntry
{
    public long Seq { get; init; }
    public DateTimeOffset At { get; init; }
    public required string Actor { get; init; }
    public required string ActorName { get; init; }
    public required string Role { get; init; }
    public required string Action { get; init; }
    public required string Target { get; init; }
    public string? Before { get; init; }
    public string? After { get; init; }
    public string Outcome { get; init; } = Pending;
    public string? Detail { get; init; }

    public const string Pending = "pending";
}

/// <summary>Which entries, newest first: all parts optional; <see cref="BeforeSeq"/> continues a previous page.</summary>
public sealed record AuditQuery(string? Actor = null, string? Target = null, string? Action = null,
    DateTimeOffset? Since = null, DateTimeOffset? Until = null, long? BeforeSeq = null, int Limit = 100);
