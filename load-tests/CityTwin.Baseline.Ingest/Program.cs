using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

// Baseline for load-tests/run.sh ingest: POST /api/telemetry takes the same JSON array of readings ({"id", "timestamp",
// attributes…}) and keeps each asset's latest reading in reading_latest. Per request: one binary COPY into a temporary
// table, then one INSERT … ON CONFLICT DO UPDATE that keeps the newest per asset and skips unknown assets (the twin
// refuses those too) — one round trip for the data and one statement, in one transaction.
var builder = WebApplication.CreateBuilder(args);
builder.Logging.SetMinimumLevel(LogLevel.Warning);
var connectionString = builder.Configuration["Baseline:ConnectionString"] ?? throw new InvalidOperationException("Baseline:ConnectionString is required");
builder.Services.AddSingleton(NpgsqlDataSource.Create(connectionString));
var app = builder.Build();

await using (var setup = await app.Services.GetRequiredService<NpgsqlDataSource>().OpenConnectionAsync())
await using (var create = new NpgsqlCommand("""
    CREATE TABLE IF NOT EXISTS asset (asset_id text PRIMARY KEY, type text NOT NULL);
    CREATE TABLE IF NOT EXISTS reading_latest (asset_id text PRIMARY KEY REFERENCES asset, ts timestamptz NOT NULL, payload jsonb NOT NULL);
    """, setup))
    await create.ExecuteNonQueryAsync();

app.MapGet("/health", () => Results.Ok());

// The benchmark registers the city's assets first (binary COPY, replacing what was there).
app.MapPost("/api/assets", async (HttpRequest request, NpgsqlDataSource db) =>
{
    var assets = await JsonSerializer.DeserializeAsync<AssetRow[]>(request.Body, JsonSerializerOptions.Web) ?? [];
    await using var connection = await db.OpenConnectionAsync();
    await using (var truncate = new NpgsqlCommand("TRUNCATE reading_latest, asset", connection)) await truncate.ExecuteNonQueryAsync();
    await using (var copy = await connection.BeginBinaryImportAsync("COPY asset (asset_id, type) FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var a in assets)
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(a.Id, NpgsqlDbType.Text);
            await copy.WriteAsync(a.Type, NpgsqlDbType.Text);
        }
        await copy.CompleteAsync();
    }
    return Results.Ok(new { registered = assets.Length });
});

app.MapPost("/api/telemetry", async (HttpRequest request, NpgsqlDataSource db) =>
{
    using var body = await JsonDocument.ParseAsync(request.Body);
    if (body.RootElement.ValueKind != JsonValueKind.Array) return Results.BadRequest();
    var received = body.RootElement.GetArrayLength();
    await using var connection = await db.OpenConnectionAsync();
    await using var transaction = await connection.BeginTransactionAsync();
    await using (var staging = new NpgsqlCommand("CREATE TEMP TABLE IF NOT EXISTS staging (asset_id text, ts timestamptz, payload jsonb) ON COMMIT DELETE ROWS", connection, transaction))
        await staging.ExecuteNonQueryAsync();
    await using (var copy = await connection.BeginBinaryImportAsync("COPY staging (asset_id, ts, payload) FROM STDIN (FORMAT BINARY)"))
    {
        foreach (var reading in body.RootElement.EnumerateArray())
        {
            await copy.StartRowAsync();
            await copy.WriteAsync(reading.GetProperty("id").GetString()!, NpgsqlDbType.Text);
            await copy.WriteAsync(reading.TryGetProperty("timestamp", out var ts) ? ts.GetDateTimeOffset().UtcDateTime : DateTime.UtcNow, NpgsqlDbType.TimestampTz);
            await copy.WriteAsync(reading.GetRawText(), NpgsqlDbType.Jsonb);
        }
        await copy.CompleteAsync();
    }
    int applied;
    await using (var upsert = new NpgsqlCommand("""
        INSERT INTO reading_latest (asset_id, ts, payload)
        SELECT DISTINCT ON (s.asset_id) s.asset_id, s.ts, s.payload FROM staging s JOIN asset a USING (asset_id)
        ORDER BY s.asset_id, s.ts DESC
        ON CONFLICT (asset_id) DO UPDATE SET ts = excluded.ts, payload = excluded.payload WHERE reading_latest.ts < excluded.ts
        """, connection, transaction))
        applied = await upsert.ExecuteNonQueryAsync();
    await transaction.CommitAsync();
    return Results.Ok(new { received, applied });
});

app.MapGet("/api/assets/{id}/latest", async (string id, NpgsqlDataSource db) =>
{
    await using var command = db.CreateCommand("SELECT ts FROM reading_latest WHERE asset_id = $1");
    command.Parameters.AddWithValue(id);
    return await command.ExecuteScalarAsync() is DateTime ts ? Results.Ok(new { telemetryAt = new DateTimeOffset(ts, TimeSpan.Zero) }) : Results.NotFound();
});

app.Run();

internal sealed record AssetRow(string Id, string Type);
