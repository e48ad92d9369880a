using System.Diagnostics.Metrics;
using System.Net;
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
    /// Grain storage (named <see cref="StorageNames.Assets"/>, <see cref="StorageNames.PubSub"/> and the default), the
    /// asset grains' own table (<see cref="IAssetTable"/>), the audit log (<see cref="IAuditLog"/>), clustering
    /// and reminders for the chosen provider, with the schema applied in the silo's first lifecycle stage, before
    /// membership and storage read their tables.
    /// </summary>
    /// <param name="directoryCache">
    /// Whether silos cache the addresses of remote grains: worth it with several silos, a waste of memory with one.
    /// Default: on for PostgreSQL (clusters), off for SQLite (the embedded single silo).
    /// </param>
    public static ISiloBuilder UseCityTwinStorage(this ISiloBuilder silo, StorageOptions options, int siloPort = 11111, int gatewayPort = 30000, bool? directoryCache = null)
    {
        silo.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (options.ClusterId, options.ServiceId));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>>(sp => new SchemaLifecycle(options, sp.GetRequiredService<Microsoft.Extensions.Logging.ILoggerFactory>()));

        string[] names = [StorageNames.Assets, StorageNames.PubSub, ProviderConstants.DEFAULT_STORAGE_PROVIDER_NAME];
        if (options.Provider == StorageProvider.Sqlite)
        {
            // One ADO.NET provider for the file, behind one write gate shared by every storage name.
            AddAdoNet(SqliteProviderName);
            silo.Services.AddSingleton(sp => new SqliteWriteGate(sp.GetRequiredKeyedService<IGrainStorage>(SqliteProviderName)));
            foreach (var name in names) silo.Services.AddGrainStorage(name, (sp, _) => sp.GetRequiredService<SqliteWriteGate>());
            silo.Services.AddSingleton<IAssetTable>(sp => new SqliteAssetTable(options, sp.GetRequiredService<SqliteWriteGate>()));
            silo.Services.AddSingleton<IAuditLog>(sp => new SqlAuditLog(options, sp.GetRequiredService<SqliteWriteGate>().ExclusiveAsync));
        }
        else
        {
            foreach (var name in names) AddAdoNet(name);
            silo.Services.AddSingleton<IAssetTable>(new PostgresAssetTable(options));
            silo.Services.AddSingleton<IAuditLog>(new SqlAuditLog(options));
        }

        void AddAdoNet(string name) =>
            silo.AddAdoNetGrainStorage(name, (OptionsBuilder<AdoNetGrainStorageOptions> o) => o.Configure<Serializer>((storage, serializer) =>
            {
                storage.Invariant = options.Invariant;
                storage.ConnectionString = options.ConnectionString;
                // Orleans' own binary format: compact, fast and version-tolerant through the [Id]s on every record.
                storage.GrainStorageSerializer = new OrleansGrainStorageSerializer(serializer);
            }));

        // Membership lives in the database on both providers, so any number of silos (and the API) find each other
        // through it. On SQLite they share one file, hence one machine: silos advertise loopback.
        silo.Configure<EndpointOptions>(e => (e.SiloPort, e.GatewayPort) = (siloPort, gatewayPort));
        silo.UseAdoNetClustering(c => (c.Invariant, c.ConnectionString) = (options.Invariant, options.ConnectionString));
        if (options.Provider == StorageProvider.PostgreSql)
        {
            silo.UseAdoNetReminderService(r => (r.Invariant, r.ConnectionString) = (options.Invariant, options.ConnectionString));
        }
        else
        {
            silo.Configure<EndpointOptions>(e => e.AdvertisedIPAddress = IPAddress.Loopback);
            // No reminders table on SQLite (the twin uses no reminders yet): Orleans' grain-based in-memory table,
            // shared by the silos of the cluster, lost when the last one stops.
            silo.UseInMemoryReminderService();
        }
        // The distributed directory keeps a dead silo's share of the directory by asking the survivors what they hold;
        // Orleans' default directory instead deactivates every survivor's grain whose entry the dead silo held, and the
        // next read of each one waits for it to load again (docs/architecture.md, "The survivors keep their grains").
#pragma warning disable ORLEANSEXP003 // experimental in Orleans 10.4.2; checked by FailoverTests, measured by the failover benchmark (README)
        silo.AddDistributedGrainDirectory();
#pragma warning restore ORLEANSEXP003
        // After a crash it would hold back new activations in the dead silo's whole range for 30 s (a guard against a
        // silo declared dead that still runs). Without it the guarantee is the default directory's, which the twin ran
        // on: a duplicate activation's write fails on the stored version (ETag) instead of overwriting.
        silo.Configure<GrainDirectoryOptions>(d => d.RangeLeaseDuration = TimeSpan.Zero);
        // With one silo every grain is local, so a cache of remote grain addresses would only hold a duplicate entry
        // (≈ 0.5 KB) per activation; with several, it saves a directory lookup on most calls to a remote grain.
        if (!(directoryCache ?? options.Provider == StorageProvider.PostgreSql))
            silo.Configure<GrainDirectoryOptions>(d => d.CachingStrategy = GrainDirectoryOptions.CachingStrategyType.None);
        return silo;
    }

    /// <summary>How a client (the API) finds the silos: their gateways, read from the membership table.</summary>
    public static IClientBuilder UseCityTwinClustering(this IClientBuilder client, StorageOptions options)
    {
        client.Configure<ClusterOptions>(c => (c.ClusterId, c.ServiceId) = (options.ClusterId, options.ServiceId));
        client.UseAdoNetClustering(c => (c.Invariant, c.ConnectionString) = (options.Invariant, options.ConnectionString));
        client.Services.AddSingleton<IClientConnectionRetryFilter, ClusterConnectRetry>();
        // Orleans re-reads the gateways from the membership table once a minute: an API that started before the silos,
        // or outlived one, would wait that long to find a gateway. A gateway whose connection is not refused but silent
        // (a machine that vanished, a process still being torn down) is left only when the table shows its silo dead,
        // at the next refresh: every second, so within a second of the death. Each refresh is one small query.
        client.Configure<GatewayOptions>(g => g.GatewayListRefreshPeriod = TimeSpan.FromSeconds(1));
        // Reads caught in flight by a lost gateway are sent again (GatewayLoss.ReadAsync) rather than left to time out,
        // and those caught by a silent one (a silo being torn down, or frozen) as soon as it is (GatewaySilence).
        client.Services.AddSingleton(_ => new GatewaySilence());
        client.Configure<ClientConnectionOptions>(c => c.ConfigureConnection(connection =>
        {
            var silence = connection.ApplicationServices.GetRequiredService<GatewaySilence>();
            connection.Use(next => context =>
            {
                silence.Watch(context);
                return next(context);
            });
        }));
        client.Services.AddSingleton(sp => new GatewayLoss(meters: sp.GetService<IMeterFactory>(), silence: sp.GetRequiredService<GatewaySilence>()));
        client.Services.AddSingleton<IClusterConnectionStatusObserver>(sp => sp.GetRequiredService<GatewayLoss>());
        return client;
    }

    /// <summary>
    /// Applies the schema in the silo lifecycle's first stage. Everything that touches the database comes later:
    /// the membership table is initialised at RuntimeGrainServices (8000), grain storages and reminders at
    /// ApplicationServices (10000); a lifecycle stage completes before the next one starts.
    /// </summary>
    private sealed class SchemaLifecycle(StorageOptions options, Microsoft.Extensions.Logging.ILoggerFactory loggers) : ILifecycleParticipant<ISiloLifecycle>
    {
        public void Participate(ISiloLifecycle lifecycle) =>
            lifecycle.Subscribe(nameof(SchemaLifecycle), ServiceLifecycleStage.First, async ct =>
            {
                await SchemaInstaller.ApplyAsync(options, ct);
                if (await ConnectionBudget.CheckAsync(options, ct) is { } overBudget) ConnectionBudget.LogOverBudget(loggers.CreateLogger("CityTwin.Storage"), overBudget);
            });
    }
}
