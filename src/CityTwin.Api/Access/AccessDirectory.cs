using System.Collections.Frozen;
using CityTwin.Contracts.Access;
using CityTwin.Domain.Access;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace CityTwin.Api.Access;

/// <summary>
/// This process's copy of the twin's keys and data shares, re-read every <see cref="AuthOptions.RefreshInterval"/>
/// (one grain call that answers nothing when nothing changed). Checking a key costs a dictionary lookup and a hash.
/// On start it stores the deployment's first admin key, if configured.
/// </summary>
public sealed partial class AccessDirectory(
    IGrainFactory grains, IOptions<AuthOptions> options, TimeProvider time, ILogger<AccessDirectory> logger) : BackgroundService
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Snapshot _current = Snapshot.Empty;

    public sealed record Snapshot(long Version, FrozenDictionary<string, ApiKeyRecord> Keys, ILookup<string, DataShare> SharesTo)
    {
        public static Snapshot Empty { get; } = new(-1, FrozenDictionary<string, ApiKeyRecord>.Empty, Array.Empty<DataShare>().ToLookup(s => s.To));
    }

    public Snapshot Current => _current;

    /// <summary>Readiness: the process can check credentials once the cluster gave it the key list.</summary>
    public sealed class ReadyCheck(AccessDirectory directory) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(directory._loaded.Task.IsCompleted
                ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("waiting for the cluster to load the key list"));
    }

    /// <summary>The list once loaded; null when it could not be loaded within <see cref="AuthOptions.LoadTimeout"/>.</summary>
    public async ValueTask<Snapshot?> LoadedAsync(CancellationToken ct)
    {
        if (_loaded.Task.IsCompleted) return _current;
        try
        {
            await _loaded.Task.WaitAsync(options.Value.LoadTimeout, ct);
            return _current;
        }
        catch (TimeoutException)
        {
            return null;
        }
    }

    /// <summary>The areas shared with a department, beyond its callers' own scope.</summary>
    public IEnumerable<ScopeArea> SharedWith(string? department) => department is null
        ? []
        : _current.SharesTo[department].Select(s => ScopeArea.Of(s.Districts, s.Types));

    /// <summary>A change this process made: in effect here at once, not at the next refresh.</summary>
    public Task RefreshNowAsync() => RefreshAsync();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = TimeSpan.FromMilliseconds(200);
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (AdminKey() is { } admin) await grains.GetGrain<IAccessGrain>(IAccessGrain.Key).EnsureKeyAsync(admin);
                await RefreshAsync();
                break;
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogWaiting(logger, delay.TotalSeconds, e.Message);
                await Task.Delay(delay, stoppingToken);
                delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, TimeSpan.FromSeconds(5).Ticks));
            }
        }

        using var timer = new PeriodicTimer(options.Value.RefreshInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await RefreshAsync();
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                LogRefreshFailed(logger, e.Message); // the last list stays in force
            }
        }
    }

    private async Task RefreshAsync()
    {
        var list = await grains.GetGrain<IAccessGrain>(IAccessGrain.Key).GetIfNewerAsync(_current.Version);
        if (list is not null && list.Version > _current.Version)
        {
            _current = new Snapshot(
                list.Version,
                list.Keys.ToFrozenDictionary(k => k.Id, StringComparer.Ordinal),
                list.Shares.Where(s => s.RevokedAt is null).ToLookup(s => s.To, StringComparer.Ordinal));
        }
        _loaded.TrySetResult();
    }

    private ApiKeyRecord? AdminKey()
    {
        if (options.Value.AdminKeyHash is not { Length: > 0 } configured) return null;
        var parts = configured.Split(':');
        if (parts.Length != 2 || parts[0].Length == 0 || parts[1].Length != 64)
            throw new InvalidOperationException("Auth:AdminKeyHash must be '{id}:{sha256 hex}' (citytwin keys hash <key>).");
        return new ApiKeyRecord
        {
            Id = parts[0], Name = "admin (first run)", Role = Roles.Admin, Hash = parts[1].ToLowerInvariant(),
            CreatedAt = time.GetUtcNow(), CreatedBy = "deployment",
        };
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for the cluster to load the key list (retry in {Seconds} s): {Reason}")]
    private static partial void LogWaiting(ILogger logger, double seconds, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not refresh the key list; the last one stays in force: {Reason}")]
    private static partial void LogRefreshFailed(ILogger logger, string reason);
}
