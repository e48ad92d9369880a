using CityTwin.Contracts.Storage;
using CityTwin.Storage;

namespace CityTwin.Grains;

/// <summary>
/// Every grain call that fails because the database is unavailable fails with <see cref="StorageUnavailableException"/>
/// instead of the driver's exception: Npgsql's and Microsoft.Data.Sqlite's exceptions have no Orleans codec, so
/// without this the caller gets a serializer error, and the API could not tell a database outage (503, try again)
/// from a bug (500). The driver's message is kept; its stack stays in the silo's log.
/// </summary>
public sealed partial class StorageFaultFilter(ILogger<StorageFaultFilter> logger) : IIncomingGrainCallFilter
{
    public Task Invoke(IIncomingGrainCallContext context)
    {
        var call = context.Invoke();
        return call.IsCompletedSuccessfully ? call : Translated(call, context); // no extra state machine on the hot path
    }

    private async Task Translated(Task call, IIncomingGrainCallContext context)
    {
        try
        {
            await call;
        }
        catch (Exception e) when (e is not StorageUnavailableException && StorageFaults.IsStorageFault(e))
        {
            LogStorageFault(logger, context.InterfaceName, context.MethodName, e.Message);
            throw StorageUnavailableException.Because(e);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Interface}.{Method} failed, the database is unavailable: {Reason}")]
    private static partial void LogStorageFault(ILogger logger, string @interface, string method, string reason);
}
