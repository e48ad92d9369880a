using CityTwin.Contracts.Assets;
using CityTwin.Contracts.Districts;
using CityTwin.Storage;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Storage;

namespace CityTwin.Grains.Assets;

/// <summary>
/// One street asset. Configuration and status are written through; telemetry is written behind.
/// The grain talks to its storage directly rather than through <c>[PersistentState]</c>: a silo holds up to a
/// million of these, and the persistent-state bridge with its lifecycle and migration hooks costs ≈ 0.3 KB each.
/// </summary>
public sealed partial class AssetGrain : Grain, IAssetGrain
{
    private const string StateName = "asset";

    private readonly IGrainStorage _storage;
    private readonly GrainState<AssetGrainState> _state = new(new AssetGrainState());
    private readonly TimeProvider _time;
    private readonly ILogger<AssetGrain> _logger;
    private readonly TimeSpan _writeBehindWindow;
    private WriteBehind? _telemetryWrites; // created by the first reading: most assets never hold one

    public AssetGrain(
        [FromKeyedServices(StorageNames.Assets)] IGrainStorage storage,
        [FromKeyedServices(TwinOptions.ClockKey)] TimeProvider time,
        IOptions<TwinOptions> options,
        ILogger<AssetGrain> logger)
    {
        _storage = storage;
        _time = time;
        _logger = logger;
        _writeBehindWindow = options.Value.TelemetryWriteBehind;
    }

    private AssetGrainState Stored => _state.State!; // never null: set at construction and after every read

    private Asset? Current => Stored.Asset;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        await _storage.ReadStateAsync(StateName, this.GetGrainId(), _state);
        _state.State ??= new AssetGrainState();
        Stored.Asset = Current?.Compact();
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

        Stored.Asset = TelemetryRules.Apply(asset, reading, _time.GetUtcNow());
        _telemetryWrites ??= new WriteBehind(this, WriteStateAsync, _writeBehindWindow);
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
        var previous = Stored.Asset;
        Stored.Asset = next;
        try
        {
            await WriteStateAsync();
            _telemetryWrites?.Written();
        }
        catch
        {
            Stored.Asset = previous;
            throw;
        }
    }

    private Task WriteStateAsync() => _storage.WriteStateAsync(StateName, this.GetGrainId(), _state);

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
