using Aspire.Hosting;
using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;

/// <summary>
/// The machine's PostgreSQL binaries as executable resources — no container runtime needed. The cluster lives in
/// &lt;data&gt;/postgres and survives restarts; "postgres-init" creates it and the citytwin database the first time.
/// Trust authentication on 127.0.0.1 only: a local development server, not one to expose.
/// </summary>
internal static class LocalPostgres
{
    public const string Database = "citytwin";

    /// <summary>The local server's connection limit; the AppHost sizes every process's pool under it.</summary>
    public const int MaxConnections = 300;

    /// <summary>Adds the server; returns it and the connection string the silos and the API use.</summary>
    public static (IResourceBuilder<ExecutableResource> Server, string ConnectionString) AddLocalPostgres(
        this IDistributedApplicationBuilder builder, TwinSettings settings)
    {
        var postgresBinary = Path.Combine(settings.PostgresBin, "postgres");
        if (!File.Exists(postgresBinary))
            throw new InvalidOperationException(
                $"CityTwin:Storage=PostgreSql needs PostgreSQL's binaries in {settings.PostgresBin} (apt-get install postgresql), " +
                "or an existing server: ConnectionStrings:citytwin=\"Host=…;Database=…\".");

        var port = FreePort.Pick(settings.PostgresPort);
        var data = Path.Combine(settings.DataDirectory, "postgres");
        Directory.CreateDirectory(settings.DataDirectory);
        // PostgreSQL refuses to run as root: as root, both steps run as the postgres user (setpriv execs, so the
        // process Aspire watches and stops is postgres itself).
        string[] serverArgs =
        [
            "-D", data, "-p", port.ToString(),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=", "-c", $"max_connections={MaxConnections}",
        ];
        var (command, args) = Environment.UserName == "root"
            ? ("setpriv", (string[])["--reuid=postgres", "--regid=postgres", "--init-groups", "--", postgresBinary, .. serverArgs])
            : (postgresBinary, serverArgs);

        var init = builder.AddExecutable("postgres-init", "/bin/sh", settings.DataDirectory, "-c", InitScript)
            .WithEnvironment("PGBIN", settings.PostgresBin)
            .WithEnvironment("PGDATA", data)
            .WithEnvironment("APPDATA_DIR", settings.DataDirectory)
            .WithEnvironment("CITYTWIN_DB", Database);

        var server = builder.AddExecutable("postgres", command, settings.DataDirectory, args)
            .WithEndpoint("tcp", e => (e.Port, e.TargetPort, e.IsProxied, e.UriScheme) = (port, port, false, "tcp"))
            .WaitForCompletion(init);

        var connectionString = $"Host=127.0.0.1;Port={port};Username=postgres;Database={Database};Timeout=15";
        var check = "postgres-ready";
        builder.Services.AddHealthChecks().AddCheck(check, new PostgresReadyCheck(connectionString));
        server.WithHealthCheck(check);
        init.WithParentRelationship(server);
        return (server, connectionString);
    }

    // Idempotent: creates the cluster and the database only when PGDATA holds none. As root, the data folder is handed
    // to the postgres user and the app's data folder gets the traverse bit (not read) so that user can reach it.
    private const string InitScript = """
        set -eu
        if [ -s "$PGDATA/PG_VERSION" ]; then echo "PostgreSQL cluster already in $PGDATA"; exit 0; fi
        mkdir -p "$PGDATA"
        as=""
        if [ "$(id -u)" = 0 ]; then
          chmod a+x "$APPDATA_DIR"
          chown postgres:postgres "$PGDATA"
          as="setpriv --reuid=postgres --regid=postgres --init-groups --"
        fi
        cd "$PGDATA"
        $as "$PGBIN/initdb" -D "$PGDATA" -U postgres -A trust --no-locale --encoding=UTF8 --no-instructions
        echo "CREATE DATABASE $CITYTWIN_DB;" | $as "$PGBIN/postgres" --single -D "$PGDATA" postgres >/dev/null
        echo "created a PostgreSQL cluster in $PGDATA with database $CITYTWIN_DB"
        """;
}
