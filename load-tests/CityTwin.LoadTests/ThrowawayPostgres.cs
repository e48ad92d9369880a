using System.Diagnostics;
using Npgsql;

namespace CityTwin.LoadTests;

/// <summary>
/// A PostgreSQL server of its own (initdb in a temporary folder, a free loopback port) that a run may stop and start
/// again — the shared test server cannot be taken down under the other tests. As root, the server runs as the
/// postgres user (PostgreSQL refuses root), like <c>.ci/start-postgres.sh</c>.
/// </summary>
public sealed class ThrowawayPostgres : IAsyncDisposable
{
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _root;
    private readonly int _port;

    private ThrowawayPostgres(string root, int port) => (_root, _port) = (root, port);

    public static bool Installed => File.Exists(Path.Combine(Bin, "initdb"));

    public string ConnectionString => $"Host=127.0.0.1;Port={_port};Username=postgres;Database=citytwin;Timeout=5;Command Timeout=15";

    public static async Task<ThrowawayPostgres> StartAsync()
    {
        if (!Installed) throw new InvalidOperationException($"PostgreSQL 15 is not installed ({Bin}): apt-get install -y postgresql");
        var root = Directory.CreateTempSubdirectory("citytwin-pg-own-").FullName;
        var server = new ThrowawayPostgres(root, ChildProcess.FreePort());
        if (Environment.UserName == "root") await RunAsync("chown", ["postgres:postgres", root]);
        await server.AsPostgresAsync($"{Bin}/initdb -D {root}/data -A trust -U postgres > {root}/initdb.log 2>&1");
        await server.StartAgainAsync();
        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(server.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand("CREATE DATABASE citytwin", admin);
            await create.ExecuteNonQueryAsync();
        }
        return server;
    }

    /// <summary>Starts the server (again) and returns once it accepts connections.</summary>
    public Task StartAgainAsync() =>
        AsPostgresAsync($"{Bin}/pg_ctl -D {_root}/data -l {_root}/server.log -w -t 60 " +
                        $"-o '-k {_root} -p {_port} -c listen_addresses=127.0.0.1 -c max_connections=200 -c fsync=off' start > /dev/null");

    /// <summary>Stops the server as an operator's restart would (fast: open sessions are ended, nothing half-written survives).</summary>
    public Task StopAsync() => AsPostgresAsync($"{Bin}/pg_ctl -D {_root}/data -w -t 60 -m fast stop > /dev/null");

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        try { await AsPostgresAsync($"{Bin}/pg_ctl -D {_root}/data -w -t 60 -m immediate stop > /dev/null 2>&1 || true"); }
        finally { Directory.Delete(_root, recursive: true); }
    }

    private Task AsPostgresAsync(string command) =>
        Environment.UserName == "root" ? RunAsync("su", ["postgres", "-s", "/bin/sh", "-c", command]) : RunAsync("sh", ["-c", command]);

    private static async Task RunAsync(string file, string[] args)
    {
        var info = new ProcessStartInfo(file) { UseShellExecute = false, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info)!;
        var error = await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {string.Join(' ', args)} failed ({process.ExitCode}): {error}");
    }
}
