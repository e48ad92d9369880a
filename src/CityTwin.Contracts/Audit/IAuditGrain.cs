using CityTwin.Contracts.Hosting;
using CityTwin.Domain.Audit;

namespace CityTwin.Contracts.Audit;

/// <summary>
/// The audit log, written and read in a silo (a stateless worker on whichever silo is asked): on SQLite its writes
/// then share the silo's one writer with every other write instead of fighting it from the API's process.
/// </summary>
[Alias("IAuditGrain")]
public interface IAuditGrain : IGrainWithIntegerKey
{
    /// <summary>Stores the entry as pending; its sequence number. A command runs only after this succeeded.</summary>
    [Alias("Begin")]
    Task<long> BeginAsync(AuditEntry entry);

    [Alias("Complete")]
    Task CompleteAsync(long seq, string outcome, string? after, string? detail);

    [Alias("Query"), AnyGateway]
    Task<AuditEntry[]> QueryAsync(AuditQuery query);

    [Alias("DeleteOlderThan")]
    Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff);
}
