using System.Collections.Concurrent;
using CityTwin.Contracts.Streams;
using CityTwin.Grains.Streams;
using CityTwin.Storage;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.Serialization;
using Orleans.Storage;
using Orleans.TestingHost;

namespace CityTwin.Grains.Tests;

/// <summary>One in-process silo for the whole collection; tests use unique grain keys.</summary>
public class ClusterFixture : IAsyncLifetime
{
    public static readonly TimeSpan ShortWindow = TimeSpan.FromMilliseconds(300);

    public virtual TimeSpan WriteBehind => ShortWindow;

    /// <summary>How long an asset may idle before it is deactivated.</summary>
    public virtual TimeSpan AssetIdleDeactivation => TimeSpan.FromHours(1);

    /// <summary>How often Orleans looks for idle activations (its default, a minute, when null).</summary>
    public virtual TimeSpan? CollectionQuantum => null;

    public InProcessTestCluster Cluster { get; private set; } = null!;
    /// <summary>Everything the silos wrote, kept across silo restarts.</summary>
    public ConcurrentDictionary<(string, GrainId), byte[]> Data { get; } = new();
    /// <summary>The asset table's rows, kept across silo restarts.</summary>
    public ConcurrentDictionary<string, AssetRow> AssetRows { get; } = new();
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 11, 29, 18, 0, 0, TimeSpan.Zero));
    public IClusterClient Client => Cluster.Client;
    public RecordingStorage Storage => Cluster.Silos[0].ServiceProvider.GetRequiredKeyedService<IGrainStorage>(StorageNames.Assets) as RecordingStorage
                                       ?? throw new InvalidOperationException("storage not registered");
    public RecordingAssetTable Assets => (RecordingAssetTable)Cluster.Silos[0].ServiceProvider.GetRequiredService<IAssetTable>();

    public async Task InitializeAsync()
    {
        var builder = new InProcessTestClusterBuilder(1);
        builder.ConfigureSilo((_, silo) =>
        {
            var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Twin:TelemetryWriteBehind"] = WriteBehind.ToString(),
                ["Twin:DistrictWriteBehind"] = WriteBehind.ToString(),
                ["Twin:AssetIdleDeactivation"] = AssetIdleDeactivation.ToString(),
                ["Twin:CameraCountInterval"] = "00:00:01",
            }).Build();
            if (CollectionQuantum is { } quantum) silo.Configure<Orleans.Configuration.GrainCollectionOptions>(o => o.CollectionQuantum = quantum);
            silo.Services.AddKeyedSingleton<TimeProvider>(Grains.TwinOptions.ClockKey, Clock);
            silo.Services.AddCityTwinGrains(config);
            silo.AddCityTwinStreams();
            silo.UseInMemoryReminderService(); // the fan-out guard's reminders
            foreach (var name in new[] { StorageNames.Assets, StorageNames.PubSub })
                silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new RecordingStorage(sp.GetRequiredService<Serializer>(), Data));
            silo.Services.AddSingleton<IAssetTable>(sp => new RecordingAssetTable(sp.GetRequiredService<Serializer>(), AssetRows, () => Data.Keys.Any(k => k.Item1 == "asset")));
            Configure(silo);
        });
        builder.ConfigureClient(client => client.AddMemoryStreams(TwinStreams.Provider));
        Cluster = builder.Build();
        await Cluster.DeployAsync();
    }

    /// <summary>What a fixture adds to every silo's configuration.</summary>
    protected virtual void Configure(ISiloBuilder silo) { }

    public async Task DisposeAsync()
    {
        await Cluster.StopAllSilosAsync();
        await Cluster.DisposeAsync();
    }
}

/// <summary>A write-behind window no test outlives, to observe what deactivation alone flushes.</summary>
public sealed class LongWindowClusterFixture : ClusterFixture
{
    public override TimeSpan WriteBehind => TimeSpan.FromHours(1);
}

[CollectionDefinition(Name)]
public sealed class ClusterCollection : ICollectionFixture<ClusterFixture>
{
    public const string Name = "cluster";
}
