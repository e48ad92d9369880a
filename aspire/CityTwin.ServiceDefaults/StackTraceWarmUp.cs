namespace Microsoft.Extensions.Hosting;

/// <summary>
/// Formats one stack trace with file and line at start. The first one a process formats loads the runtime's symbol
/// reader — 24 ms on these machines (each assembly's PDB then costs 1–3 ms once, each trace after that 0.1 ms) — and
/// the first ones come when a silo dies: in the failover benchmark's traces the API spent 40–50 ms of thread time
/// formatting its first lost-connection stack traces for the log in the moment the victim exited, while the surviving
/// silo's reads waited for those threads.
/// </summary>
public sealed class StackTraceWarmUp : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _ = new System.Diagnostics.StackTrace(fNeedFileInfo: true).ToString();
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
