using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;

namespace CityTwin.Storage;

/// <summary>Settings of <see cref="ExitedSiloWatch"/>, under <see cref="Section"/>.</summary>
public sealed class ExitedSiloOptions
{
    public const string Section = "Cluster:ExitedSilos";

    /// <summary>Off: only Orleans' probes declare a silo dead.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>How often each other active silo's endpoint is tried (one TCP connect, closed at once).</summary>
    public TimeSpan Period { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Refused connections in a row, <see cref="Spacing"/> apart, that prove the silo's process is gone.</summary>
    public int Refusals { get; set; } = 3;

    public TimeSpan Spacing { get; set; } = TimeSpan.FromMilliseconds(100);

    /// <summary>A connect that neither completes nor is refused in this time proves nothing (a lost machine, a partition).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>
/// Declares dead, at once, a silo whose process has exited: its endpoint refuses connections. Orleans' probes cannot
/// tell a dead silo from a slow one, so they need three missed probes, and a probe period that Orleans widens while the
/// prober is itself degraded: 1.5 s to 6 s after a crash on a loaded machine. The kernel can tell. A process that has
/// exited has no listening socket, so a connect to its port is refused (RST) at once; a silo that is slow, paused by its
/// GC, starved of CPU or even stopped (SIGSTOP) still has its socket, and its kernel completes the handshake whether or
/// not the process ever accepts. A refused connect is therefore proof, not suspicion — the same kind of proof on which
/// Orleans itself declares a silo dead without votes (a new generation answering on its endpoint) — and this watch acts
/// on it through the same call (<see cref="IClusterMembershipService.TryKill"/>), after <see cref="ExitedSiloOptions.Refusals"/>
/// refusals in a row and a fresh read of the membership table still showing the silo active (a silo stopping gracefully
/// says so in the table long before its listener closes). Nothing else changes: a silo that hangs with its socket open,
/// or a machine that vanishes (connects time out, nothing is refused), is left to Orleans' degradation-aware probes.
/// Each check is one TCP connect to each other active silo's silo port, closed at once; Orleans logs such a connection
/// at Information ("Closing connection"), which the default <c>Orleans: Warning</c> level keeps out of the logs.
/// (Linux answers a full accept backlog by dropping the SYN, not refusing it; Windows refuses, so there a silo whose
/// backlog filled up while it was paused could be taken for dead: CityTwin's silos run on Linux.)
/// </summary>
public sealed partial class ExitedSiloWatch(
    IClusterMembershipService membership,
    ILocalSiloDetails local,
    IOptions<ExitedSiloOptions> options,
    ILogger<ExitedSiloWatch> logger) : ILifecycleParticipant<ISiloLifecycle>
{
    private readonly ExitedSiloOptions _options = options.Value;
    private readonly CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;

    /// <summary>What a connect to an endpoint showed.</summary>
    public enum Endpoint { Listening, Refused, Unknown }

    public void Participate(ISiloLifecycle lifecycle)
    {
        if (!_options.Enabled) return;
        // From the moment this silo is active (its own membership entry written) until it starts to stop.
        lifecycle.Subscribe(nameof(ExitedSiloWatch), ServiceLifecycleStage.Active,
            _ => { _running = Task.Run(() => RunAsync(_stop.Token)); return Task.CompletedTask; },
            async _ => { await _stop.CancelAsync(); await _running; });
    }

    private async Task RunAsync(CancellationToken stop)
    {
        using var timer = new PeriodicTimer(_options.Period);
        try
        {
            while (await timer.WaitForNextTickAsync(stop))
            {
                var others = membership.CurrentSnapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(local.SiloAddress))
                    .Select(m => m.SiloAddress).ToList();
                await Task.WhenAll(others.Select(silo => CheckAsync(silo, stop)));
            }
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
    }

    private async Task CheckAsync(SiloAddress silo, CancellationToken stop)
    {
        try
        {
            var started = Stopwatch.GetTimestamp();
            for (var refusals = 1; ; refusals++)
            {
                if (await ConnectAsync(silo.Endpoint, _options.ConnectTimeout, stop) != Endpoint.Refused) return;
                if (refusals >= _options.Refusals) break;
                await Task.Delay(_options.Spacing, stop);
            }
            await membership.Refresh(default, stop);
            if (membership.CurrentSnapshot.GetSiloStatus(silo) != SiloStatus.Active) return;
            LogDeclaringDead(logger, silo, _options.Refusals, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            await membership.TryKill(silo);
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested) { }
        catch (Exception e)
        {
            // The membership table unreachable, say: Orleans' probes still stand.
            LogCheckFailed(logger, silo, e.Message);
        }
    }

    /// <summary>One TCP connect, closed at once: was anything listening?</summary>
    public static async Task<Endpoint> ConnectAsync(IPEndPoint endpoint, TimeSpan timeout, CancellationToken cancellation)
    {
        using var socket = new Socket(endpoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        using var attempt = CancellationTokenSource.CreateLinkedTokenSource(cancellation);
        attempt.CancelAfter(timeout);
        try
        {
            await socket.ConnectAsync(endpoint, attempt.Token);
            return Endpoint.Listening;
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionRefused)
        {
            return Endpoint.Refused;
        }
        catch (Exception e) when (e is SocketException || (e is OperationCanceledException && !cancellation.IsCancellationRequested))
        {
            return Endpoint.Unknown;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Declaring silo {Silo} dead: its endpoint refused {Refusals} connections in a row over {Milliseconds:0} ms (its process has exited)")]
    private static partial void LogDeclaringDead(ILogger logger, SiloAddress silo, int refusals, double milliseconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Checking whether silo {Silo} has exited failed: {Reason}")]
    private static partial void LogCheckFailed(ILogger logger, SiloAddress silo, string reason);
}
