using CityTwin.Domain.Audit;
namespace CityTwin.Storage;

/// <summary>The audit log in the twin's database (table CityTwinAudit / citytwin_audit).</summary>
public interface IAuditLog
{
    /// <summary>Stores the entry as pending and returns its sequence number; a command runs only after this succeeded.</summary>
    Task<long> BeginAsync(AuditEntry entry, CancellationToken cancellationToken = default);

    /// <summary>Records how the command ended and the target's state after it; a null detail keeps the one it began with.</summary>
    Task CompleteAsync(long seq, string outcome, string? after, string? detail, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<AuditEntry>> QueryAsync(AuditQuery query, CancellationToken cancellationToken = default);

    /// <summary>Deletes entries older than <paramref name="cutoff"/>; returns how many.</summary>
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default);
}
