namespace CityTwin.Api.Ingest;

/// <summary>Limits of <c>POST /api/telemetry</c> and how a batch is sent into the cluster (section <c>Ingest</c>).</summary>
public sealed record IngestOptions
{
    /// <summary>Readings one batch may hold; more is a 413 naming this limit.</summary>
    public int MaxReadings { get; init; } = 10_000;

    /// <summary>Bytes one batch body may hold (about 150 bytes a reading: 16 MiB is room for the largest batch).</summary>
    public long MaxBodyBytes { get; init; } = 16L << 20;

    /// <summary>Readings per call into the cluster: one message carries a chunk, a silo fans it out locally.</summary>
    public int ChunkReadings { get; init; } = 1_000;

    /// <summary>
    /// Chunks in flight from this API at once, over every request and the MQTT bridge: the back-pressure that keeps
    /// memory and the silos' queues bounded when senders push faster than the grains apply (requests then wait).
    /// </summary>
    public int MaxChunksInFlight { get; init; } = 32;
}
