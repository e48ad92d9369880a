namespace CityTwin.Storage.Tests;

/// <summary>
/// A test that needs the PostgreSQL of <see cref="PostgresServer"/>. Reported as skipped only on a developer
/// machine without one (variable unset and CI unset); under CI, or with the variable set, it runs, and a
/// missing or unreachable server fails it.
/// </summary>
public sealed class PostgresFactAttribute : FactAttribute
{
    public PostgresFactAttribute()
    {
        if (PostgresServer.ConnectionString is null && !PostgresServer.IsCi)
            Skip = $"{PostgresServer.Variable} is not set: run `eval \"$(bash .ci/start-postgres.sh)\"` to include the PostgreSQL tests.";
    }
}
