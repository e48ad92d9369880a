using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;

namespace CityTwin.Grains.Assets;

/// <summary>One street asset. Configuration and status are written through; telemetry is written behind.</summary>
public sealed partial class AssetGrain : Grain, IAssetGrain
{
    private readonly IPersistentState<AssetGrainState> _state;
    private readonly TimeProvider _time;
    private readonly ILogger<AssetGrain> _logger;
    private readonly TimeSpan _writeBehindWindow;
    private WriteBehind? _telemetryWrites; // created by the first reading: most assets never hold one

    public AssetGrain(
        [PersistentState("asset", StorageNames.Assets)] IPersistentState<AssetGrainState> state,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        IOptions<TwinOptions> options,
        ILogger<AssetGrain> logger)
    {
        _state = state;
        _time = time;
        _logger = logger;
        _writeBehindWindow = options.Value.TelemetryWriteBehind;
    }

    private Asset? Current => _state.State.Asset;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _state.State.Asset = Current?.Compact();
        return Task.CompletedTask;
    }

    public Task<Asset?> GetAsync() => Task.FromResult(Current);

    public Task<AssetType?> GetTypeAsync() => Task.FromResult(Current?.Type);

    public async Task<UpsertResult> UpsertAsync(Asset asset)
    {
        var candidate = asset.WithDefaults();
        var errors = AssetValidator.Validate(candidate);
        if (candidate.Id != this.GetPrimaryKeyString()) errors.Add(new("id", $"does not match the grain's id '{this.GetPrimaryKeyString()}'"));
        if (errors.Count > 0) return new UpsertResult(UpsertOutcome.Invalid, null, [.. errors]);

        var previous = Current;
        if (previous is not null && previous.SameContentAs(candidate)) return new UpsertResult(UpsertOutcome.Unchanged, previous, []);

        var next = candidate.Compact() with
        {
            Version = (previous?.Version ?? 0) + 1,
            UpdatedAt = _time.GetUtcNow(),
            TelemetryAt = previous?.TelemetryAt,
        };
        await WriteAsync(next);
        await NotifyDistrictsAsync(previous, next);
        LogUpserted(next.Id, next.Version);
        return new UpsertResult(previous is null ? UpsertOutcome.Created : UpsertOutcome.Updated, next, []);
    }

    public async Task<TelemetryResult> ApplyTelemetryAsync(Telemetry reading)
    {
        if (Current is not { } asset) return TelemetryResult.NotFound;
        var errors = TelemetryRules.Validate(asset.Type, reading, _time.GetUtcNow());
        if (errors.Count > 0) return new TelemetryResult(TelemetryOutcome.Invalid, [.. errors]);
        if (TelemetryRules.IsStale(asset, reading)) return TelemetryResult.Stale;

        _state.State.Asset = TelemetryRules.Apply(asset, reading, _time.GetUtcNow());
        _telemetryWrites ??= new WriteBehind(this, _state.WriteStateAsync, _writeBehindWindow);
        await _telemetryWrites.MarkDirtyAsync();
        return TelemetryResult.Applied;
    }

    public async Task<Asset?> SetStatusAsync(AssetStatus status)
    {
        if (Current is not { } asset) return null;
        if (asset.Status == status) return asset;
        var next = asset with { Status = status, Version = asset.Version + 1, UpdatedAt = _time.GetUtcNow() };
        await WriteAsync(next);
        await NotifyDistrictsAsync(asset, next);
        return next;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_telemetryWrites is not null) await _telemetryWrites.FlushAsync();
        await base.OnDeactivateAsync(reason, cancellationToken);
    }

    /// <summary>Writes through; restores the previous state if storage refuses, so memory never runs ahead of storage.</summary>
    private async Task WriteAsync(Asset next)
    {
        var previous = _state.State.Asset;
        _state.State.Asset = next;
        try
        {
            await _state.WriteStateAsync();
            _telemetryWrites?.Written();
        }
        catch
        {
            _state.State.Asset = previous;
            throw;
        }
    }

    private async Task NotifyDistrictsAsync(Asset? previous, Asset next)
    {
        if (previous is not null && previous.District != next.District)
            await GrainFactory.GetGrain<IDistrictGrain>(previous.District).ForgetAsync(next.Id);
        if (previous is null || previous.Summary != next.Summary || previous.District != next.District)
            await GrainFactory.GetGrain<IDistrictGrain>(next.District).TrackAsync(next.Summary);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Asset {AssetId} written at version {Version}")]
    private partial void LogUpserted(string assetId, long version);
}
