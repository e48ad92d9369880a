using CityTwin.Contracts.Audit;
using CityTwin.Domain.Audit;
using CityTwin.Storage;
using Orleans.Concurrency;

namespace CityTwin.Grains.Audit;

/// <summary>The silo's side of the audit log: one activation per silo that is asked, each as many calls at once as come.</summary>
[StatelessWorker, Reentrant]
public sealed class AuditGrain(IAuditLog log) : Grain, IAuditGrain
{
    public Task<long> BeginAsync(AuditEntry entry) => log.BeginAsync(entry);

    public Task CompleteAsync(long seq, string outcome, string? after, string? detail) => log.CompleteAsync(seq, outcome, after, detail);

    public async Task<AuditEntry[]> QueryAsync(AuditQuery query) => [.. await log.QueryAsync(query)];

    public Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff) => log.DeleteOlderThanAsync(cutoff);
}
