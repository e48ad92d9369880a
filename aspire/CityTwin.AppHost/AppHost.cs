var builder = DistributedApplication.CreateBuilder(args);

// The embedded default: one silo on a SQLite file under data/ at the repository root, kept across restarts.
var dataDirectory = builder.Configuration["CityTwin:DataDirectory"]
    ?? Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..", "..", "data"));
var seedAssets = builder.Configuration["CityTwin:SeedAssets"] ?? "10000";

var silo = builder.AddProject<Projects.CityTwin_Silo>("silo")
    .WithEnvironment("Storage__Provider", "Sqlite")
    .WithEnvironment("Storage__DataDirectory", dataDirectory)
    .WithEnvironment("Seed__Assets", seedAssets)
    .WithHttpHealthCheck("/health");

var api = builder.AddProject<Projects.CityTwin_Api>("api")
    .WithEnvironment("Storage__Provider", "Sqlite")
    .WithExternalHttpEndpoints()
    .WithHttpHealthCheck("/health")
    .WaitFor(silo);

api.OnResourceReady((resource, _, _) =>
{
    Console.WriteLine($"CityTwin API ready at {resource.GetEndpoint("http").Url}  (try /api/districts)");
    return Task.CompletedTask;
});

builder.Build().Run();
