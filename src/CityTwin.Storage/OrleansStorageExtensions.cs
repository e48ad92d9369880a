using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Orleans.Providers;
using Orleans.Configuration;
using Orleans.Runtime;
using Orleans.Runtime.Hosting;
using Orleans.Serialization;
using Orleans.Storage;

namespace CityTwin.Storage;

public static class OrleansStorageExtensions
{
    private const string SqliteProviderName = "sqlite-file";

    /// <summary>
    /// Grain storage (named <see cref="StorageNames.Assets"/>, <see cref="StorageNames.PubSub"/> and the default), clustering
    /// and reminders for the chosen provider, with the schema applied in the silo's first lifecycle stage, before
    /// membership and storage read their tables.
    /// </summary>
    public static ISiloBuilder UseCityTwinStorage(this ISiloBuilder silo, StorageOptions options, int siloPort = 11111, int gatewayPort = 30000)
    {
        silo.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (options.ClusterId, options.ServiceId));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(new SchemaLifecycle(options));

        string[] names = [StorageNames.Assets, StorageNames.PubSub, ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME];
        if (options.Provider == StorageProvider.Sqlite)
        {
            // One ADO.NET provider for the file, behind one write gate shared by every storage name.
            AddAdoNet(SqliteProviderName);
            silo.Services.AddSingleton(sp => new SqliteWriteGate(sp.GetRequiredKeyedService<IGrainStorage>(SqliteProviderName)));
            foreach (var name in names) silo.Services.AddGrainStorage(name, (sp, _) => sp.GetRequiredService<SqliteWriteGate>());
        }
        else
        {
            foreach (var name in names) AddAdoNet(name);
        }

        void AddAdoNet(string name) =>
            silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> o) => o.Configure<Serializer>((storage, serializer) =>
            {
                storage.Invariant = options.Invariant;
                storage.ConnectionString = options.ConnectionString;
                // Orleans' own binary format: compact, fast and version-tolerant through the [Id]s on every record.
                storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));

        if (options.Provider == StorageProvider.PostgreSql)
        {
            silo.Configure<EndpointOptions>(e => (e.SiloPort, e.GatewayPort) = (siloPort, gatewayPort));
            silo.UseAdoNetClustering(c => (c.Invariant, c.ConnectionString) = (options.Invariant, options.ConnectionString));
            silo.UseAdoNetReminderService(r => (r.Invariant, r.ConnectionString) = (options.Invariant, options.ConnectionString));
        }
        else
        {
            // Orleans has no SQLite membership or reminder table: one silo, development clustering.
            silo.UseLocalhostClustering(siloPort, gatewayPort, serviceId: options.ServiceId, clusterId: options.ClusterId);
            silo.UseInMemoryReminderService();
            // Every grain is local to the one silo, so a cache of remote grain addresses would only hold a
            // duplicate entry (≈ 0.5 KB) per activation.
            silo.Configure<GrainDirectoryOptions>(d => d.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None);
        }
        return silo;
    }

    /// <summary>How a client (the API) finds the silos: localhost gateway on SQLite, the membership table on PostgreSQL.</summary>
    public static IClientBuilder UseCityTwinClustering(this IClientBuilder client, StorageOptions options, int gatewayPort = 30000)
    {
        if (options.Provider == StorageProvider.PostgreSql)
        {
            client.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (options.ClusterId, options.ServiceId));
            client.UseAdoNetClustering(c => (c.Invariant, c.ConnectionString) = (options.Invariant, options.ConnectionString));
        }
        else
        {
            client.UseLocalhostClustering(gatewayPort, options.ServiceId, options.ClusterId);
        }
        return client;
    }

    /// <summary>
    /// Applies the schema in the silo lifecycle's first stage. Everything that touches the database comes later:
    /// the membership table is initialised at RuntimeGrainServices (8000), grain storages and reminders at
    /// ApplicationServices (10000); a lifecycle stage completes before the next one starts.
    /// </summary>
    private sealed class SchemaLifecycle(StorageOptions options) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(SchemaLifecycle), ServiceLifecycleStage.First, ct => SchemaInstaller.ApplyAsync(options, ct));
    }
}
