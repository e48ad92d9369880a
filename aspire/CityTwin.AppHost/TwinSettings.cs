using Microsoft.Extensions.Configuration;

/// <summary>
/// What the AppHost starts, from its configuration (the "CityTwin" section: appsettings, command line
/// <c>--CityTwin:Silos=3</c>, or environment <c>CityTwin__Silos=3</c>).
/// </summary>
internal sealed record TwinSettings
{
    /// <summary>Silo processes forming one Orleans cluster.</summary>
    public int Silos { get; init; } = 2;

    /// <summary><c>Sqlite</c> (one file under <see cref="DataDirectory"/>) or <c>PostgreSql</c>.</summary>
    public string Storage { get; init; } = "Sqlite";

    /// <summary>The app's data folder: the SQLite file, the local PostgreSQL cluster, Prometheus' config and TSDB.</summary>
    public required string DataDirectory { get; init; }

    public int SeedAssets { get; init; } = 10_000;

    /// <summary>Orleans ports of the first silo; silo k (1-based) uses these plus k−1. Stable ports let a silo that
    /// restarts (even after a crash) replace its own stale membership entry at once.</summary>
    public int SiloPort { get; init; } = 11111;
    public int GatewayPort { get; init; } = 30000;

    /// <summary>The <c>prometheus</c> binary; default: the one on PATH. None found: Prometheus is left out.</summary>
    public string? PrometheusPath { get; init; }

    /// <summary>Prometheus' and the local PostgreSQL's ports; 0 picks a free one at start.</summary>
    public int PrometheusPort { get; init; }
    public int PostgresPort { get; init; }

    /// <summary>
    /// An MQTT broker for the API's telemetry bridge: null (default) runs mosquitto when the binary is found, true
    /// requires it, false leaves it out. <see cref="MosquittoPath"/> names the binary; <see cref="MqttPort"/> 0 picks a free port.
    /// </summary>
    public bool? Mqtt { get; init; }
    public string? MosquittoPath { get; init; }
    public int MqttPort { get; init; }

    /// <summary>
    /// Device accounts of the broker, by user name (<c>CityTwin:MqttDevices:&lt;name&gt;:District</c> and
    /// <c>:Password</c>, from user-secrets, environment or the command line — never committed): each may publish
    /// only under <c>city/&lt;its district&gt;/</c>.
    /// </summary>
    public Dictionary<string, MqttDevice> MqttDevices { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Where the machine's PostgreSQL binaries are (Debian: apt-get install postgresql).</summary>
    public string PostgresBin { get; init; } = "/usr/lib/postgresql/15/bin";

    public bool IsPostgres => string.Equals(Storage, "PostgreSql", StringComparison.OrdinalIgnoreCase);

    public static TwinSettings From(IConfiguration configuration, string appHostDirectory)
    {
        var section = configuration.GetSection("CityTwin");
        var settings = new TwinSettings
        {
            // The default keeps the foundation's place: data/ at the repository root, kept across restarts.
            DataDirectory = Path.GetFullPath(section["DataDirectory"] ?? Path.Combine(appHostDirectory, "..", "..", "data")),
        };
        section.Bind(settings);
        if (settings.Silos < 1) throw new InvalidOperationException("CityTwin:Silos must be at least 1.");
        if (!settings.IsPostgres && !string.Equals(settings.Storage, "Sqlite", StringComparison.OrdinalIgnoreCase))
            throw new InvalidOperationException($"CityTwin:Storage must be Sqlite or PostgreSql, not '{settings.Storage}'.");
        foreach (var (name, device) in settings.MqttDevices) device.Check(name);
        return settings;
    }

    /// <summary>The mosquitto binary to run: the configured one, on PATH, or Debian's /usr/sbin; null when there is none.</summary>
    public string? FindMosquitto() =>
        MosquittoPath is { Length: > 0 } explicitPath
            ? explicitPath
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Append("/usr/sbin")
                .Select(dir => Path.Combine(dir, "mosquitto"))
                .FirstOrDefault(File.Exists);

    /// <summary>The prometheus binary to run, or null when there is none.</summary>
    public string? FindPrometheus() =>
        PrometheusPath is { Length: > 0 } explicitPath
            ? explicitPath
            : (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
                .Select(dir => Path.Combine(dir, "prometheus"))
                .FirstOrDefault(File.Exists);
}

/// <summary>A device's broker account (<see cref="TwinSettings.MqttDevices"/>).</summary>
internal sealed partial record MqttDevice
{
    public string? District { get; init; }
    public string? Password { get; init; }

    /// <summary>
    /// A name or district that is not a plain id could break the password or ACL file's lines (':' separates a
    /// password entry, a space or '#'/'+' would widen an ACL topic), so they are refused rather than written.
    /// </summary>
    public void Check(string name)
    {
        if (!PlainName().IsMatch(name) || name == MosquittoAuth.BridgeUser)
            throw new InvalidOperationException($"CityTwin:MqttDevices: '{name}' is not a usable device name (letters, digits, '.', '_' or '-'; not {MosquittoAuth.BridgeUser}).");
        if (District is null || !PlainName().IsMatch(District))
            throw new InvalidOperationException($"CityTwin:MqttDevices:{name}:District must be a district id (letters, digits, '.', '_' or '-').");
        if (string.IsNullOrEmpty(Password))
            throw new InvalidOperationException($"CityTwin:MqttDevices:{name}:Password is not set.");
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}\z")]
    private static partial System.Text.RegularExpressions.Regex PlainName();
}
