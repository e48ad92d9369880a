using CityTwin.Api.Http;
using CityTwin.Contracts.Storage;
using Microsoft.Data.Sqlite;
using Orleans.Runtime;

namespace CityTwin.EndToEnd;

/// <summary>Which failures the API answers with 503 + Retry-After (try again) rather than 500 (a bug to report).</summary>
public sealed class UnavailableTests
{
    public static TheoryData<Exception> Transient => new()
    {
        new StorageUnavailableException("the database is unavailable"),
        new TimeoutException("Response did not arrive on time"),
        new SiloUnavailableException("the silo died"),
        new SqliteException("database is locked", 5),
        new InvalidOperationException("wrapped", new StorageUnavailableException("down")),
        new AggregateException(new TimeoutException(), new StorageUnavailableException("down")),
        // A driver's exception the silo could not serialise arrives as the serializer's error, naming it.
        new Orleans.Serialization.CodecNotFoundException("Could not find a codec for type Npgsql.PostgresException."),
    };

    public static TheoryData<Exception> Bugs => new()
    {
        new InvalidOperationException("a bug"),
        new NullReferenceException(),
        new ArgumentException("bad"),
        new AggregateException(new TimeoutException(), new NullReferenceException()),
        new Orleans.Serialization.CodecNotFoundException("Could not find a codec for type CityTwin.Domain.Assets.Asset."),
    };

    [Theory, MemberData(nameof(Transient))]
    public void Database_and_cluster_faults_are_transient(Exception e) => Assert.True(Unavailable.IsTransient(e));

    [Theory, MemberData(nameof(Bugs))]
    public void Other_failures_stay_errors(Exception e) => Assert.False(Unavailable.IsTransient(e));
}
