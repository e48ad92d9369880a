using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.Configuration;

// The whole twin on one machine, with no container runtime: storage, N silos forming one Orleans cluster, the API
// and Prometheus. Settings: see TwinSettings (CityTwin:Silos, CityTwin:Storage, CityTwin:DataDirectory, …).
var builder = DistributedApplication.CreateBuilder(args);
var settings = TwinSettings.From(builder.Configuration, builder.AppHostDirectory);
Directory.CreateDirectory(settings.DataDirectory);

// --- storage -------------------------------------------------------------------------------------------------------
// SQLite: one file that every silo and the API open. PostgreSQL: an existing server named by ConnectionStrings:citytwin,
// or else the machine's PostgreSQL binaries run as a resource with their cluster under the data folder.
var storageEnvironment = new Dictionary<string, string> { ["Storage__Provider"] = settings.IsPostgres ? "PostgreSql" : "Sqlite" };
IResourceBuilder<IResource>? storage = null;
if (!settings.IsPostgres)
{
    storageEnvironment["Storage__DataDirectory"] = settings.DataDirectory;
}
else if (builder.Configuration.GetConnectionString(LocalPostgres.Database) is { Length: > 0 } existing)
{
    storageEnvironment["Storage__ConnectionString"] = existing;
}
else
{
    var (server, connectionString) = builder.AddLocalPostgres(settings);
    storageEnvironment["Storage__ConnectionString"] = connectionString;
    storage = server;
}
if (settings.IsPostgres)
{
    // Every process has its own connection pool (Npgsql's default is 100): silos × pool + the API must fit the
    // server's max_connections (300 for the local server; CityTwin:PostgresMaxConnections for an existing one, default
    // PostgreSQL's 100), less its 3 reserved connections and some headroom for psql and backups. Each process checks it at start.
    // A process needs no more than the 8 it gets by default (StorageOptions.DefaultMaxPoolSize): a larger pool only keeps
    // start-up's bursts open, each connection a server process.
    var processes = settings.Silos + 1;
    var maxConnections = builder.Configuration.GetConnectionString(LocalPostgres.Database) is { Length: > 0 }
        ? builder.Configuration.GetValue("CityTwin:PostgresMaxConnections", 100)
        : LocalPostgres.MaxConnections;
    storageEnvironment["Storage__Processes"] = processes.ToString();
    storageEnvironment["Storage__MaxPoolSize"] = Math.Clamp((maxConnections - 3 - 10) / processes, 5, 8).ToString();
}

void UseStorage<T>(IResourceBuilder<T> resource) where T : IResourceWithEnvironment, IResourceWithWaitSupport
{
    foreach (var (name, value) in storageEnvironment) resource.WithEnvironment(name, value);
    if (storage is not null) resource.WaitFor(storage);
}

// --- silos -------------------------------------------------------------------------------------------------------
// Each silo is its own resource rather than one project with replicas: Prometheus must scrape every silo on its own
// URL (replicas share one proxied endpoint that round-robins), and an SRE sees, restarts or stops each one.
var silos = new List<IResourceBuilder<ProjectResource>>();
for (var k = 1; k <= settings.Silos; k++)
{
    var silo = builder.AddProject<Projects.CityTwin_Silo>($"silo-{k}", o => o.ExcludeLaunchProfile = true)
        .WithHttpEndpoint(name: "http")
        .WithEnvironment("ASPNETCORE_ENVIRONMENT", builder.Environment.EnvironmentName)
        .WithEnvironment("Silo__Port", (settings.SiloPort + k - 1).ToString())
        .WithEnvironment("Silo__GatewayPort", (settings.GatewayPort + k - 1).ToString())
        .WithEnvironment("Silo__DirectoryCache", (settings.Silos > 1).ToString())
        .WithEnvironment("Silo__Dashboard", "true")
        .WithEnvironment("Seed__Assets", settings.SeedAssets.ToString()) // the city grain lets exactly one silo seed
        .WithEnvironment("Seed__Silos", settings.Silos.ToString())
        .WithHttpHealthCheck("/health")
        .WithUrlForEndpoint("http", u => u.DisplayText = "/metrics, /health")
        .WithUrls(c =>
        {
            var http = c.Urls.FirstOrDefault(u => u.Endpoint?.EndpointName == "http");
            if (http is not null) c.Urls.Add(new ResourceUrlAnnotation { Url = http.Url.TrimEnd('/') + "/dashboard/", DisplayText = "Orleans Dashboard" });
        });
    UseStorage(silo);
    silos.Add(silo);
}

// --- API ---------------------------------------------------------------------------------------------------------
// Starts once every silo is healthy: it finds their gateways in the membership table.
// Every /api route needs a credential: the API gets the first admin key's hash (FirstAdminKey), never the key.
var adminKey = FirstAdminKey.Resolve(builder.Configuration, settings.DataDirectory);
var api = builder.AddProject<Projects.CityTwin_Api>("api")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WithEnvironment("Auth__AdminKeyHash", adminKey.IdAndHash);
UseStorage(api);
foreach (var silo in silos) api.WaitFor(silo);

// --- MQTT broker ---------------------------------------------------------------------------------------------------
// Optional: devices publish telemetry to it and the API bridges it into the grains. The API does not wait for it: the
// bridge connects (and reconnects) with backoff on its own.
if (settings.Mqtt != false && settings.FindMosquitto() is { } mosquittoBinary)
{
    var (_, mqttPort, bridgePassword) = builder.AddLocalMosquitto(mosquittoBinary, settings);
    api.WithEnvironment("Mqtt__Host", "127.0.0.1").WithEnvironment("Mqtt__Port", mqttPort.ToString())
        .WithEnvironment("Mqtt__Username", MosquittoAuth.BridgeUser).WithEnvironment("Mqtt__Password", bridgePassword);
    Console.WriteLine($"MQTT broker (mosquitto) at 127.0.0.1:{mqttPort}: devices publish readings to city/{{district}}/{{type}}/{{id}}/telemetry"
        + $" with their credentials ({settings.MqttDevices.Count} configured in CityTwin:MqttDevices; no anonymous client)");
}
else if (settings.Mqtt == true)
{
    throw new InvalidOperationException("CityTwin:Mqtt is on but mosquitto was not found (apt-get install mosquitto, or set CityTwin:MosquittoPath).");
}
else
{
    Console.WriteLine("mosquitto not found (apt-get install mosquitto): starting without the MQTT broker.");
}

// --- Prometheus --------------------------------------------------------------------------------------------------
// Not waiting for anything: it shows the silos coming up (up == 0 until they answer).
if (settings.FindPrometheus() is { } prometheusBinary)
{
    var prometheus = builder.AddLocalPrometheus(prometheusBinary, settings, silos, api);
    prometheus.OnResourceReady((resource, _, _) =>
    {
        Console.WriteLine($"Prometheus ready at {resource.GetEndpoint("http").Url}  (alerts: /alerts, targets: /targets)");
        return Task.CompletedTask;
    });
}
else
{
    Console.WriteLine("prometheus not found on PATH (apt-get install prometheus, or set CityTwin:PrometheusPath): starting without it.");
}

api.OnResourceReady((resource, _, _) =>
{
    var url = resource.GetEndpoint("http").Url;
    Console.WriteLine($"CityTwin console ready at {url}/  (open it in a browser and sign in with an API key; the API is at {url}/api, its reference at {url}/docs)");
    if (adminKey.ShowOnce is { } key)
    {
        // Shown this once: the twin keeps only its hash. Make further keys with it (POST /api/keys), then keep it safe.
        Console.WriteLine($"""

            First run: an admin API key was made for this city. It is shown only now.
              {key}
            Sign in to the console at {url}/ with it, or try:
              curl -H "Authorization: ApiKey {key}" {url}/api/stats

            """);
    }
    return Task.CompletedTask;
});
foreach (var silo in silos)
{
    silo.OnResourceReady((resource, _, _) =>
    {
        Console.WriteLine($"{resource.Name} ready at {resource.GetEndpoint("http").Url}  (Orleans Dashboard: /dashboard/)");
        return Task.CompletedTask;
    });
}

builder.Build().Run();
