using CityTwin.Api.Access;
using CityTwin.Contracts.Audit;
using CityTwin.Domain.Audit;
using CityTwin.Storage;
using Microsoft.AspNetCore.Http.HttpResults;

namespace CityTwin.Api.Audit;

/// <summary>
/// Writes every command to the audit log: a pending entry before it runs (no entry, no command: the caller gets a
/// 503), completed with its outcome and the target's state after. Endpoints hold the entry across the command.
/// </summary>
public sealed partial class CommandAudit(IGrainFactory grains, GatewayLoss gateways, TimeProvider time, ILogger<CommandAudit> logger)
{
    private IAuditGrain Log => grains.GetGrain<IAuditGrain>(0);
    private ILogger Logger => logger;
    /// <summary>What a command's own reads (its target's state before) and its grain calls go through, so a lost gateway costs seconds, not the 30 s response timeout.</summary>
    public GatewayLoss Gateways => gateways;

    /// <summary>The pending entry, or null when the log cannot be written (then the command must not run).</summary>
    public async Task<Entry?> BeginAsync(Caller caller, string action, string target, string? before = null, string? detail = null)
    {
        try
        {
            // Through a lost gateway this would wait out the 30 s response timeout before refusing the command.
            var seq = await gateways.CommandAsync(() => Log.BeginAsync(new AuditEntry
            {
                At = time.GetUtcNow(), Actor = caller.Id, ActorName = caller.Name, Role = caller.Role, Action = action, Target = target,
                Before = before, Detail = detail,
            }));
            return new Entry(this, seq);
        }
        catch (Exception e)
        {
            LogUnavailable(logger, action, target, e.Message);
            return null;
        }
    }

    /// <summary>503 for a command refused because its audit entry could not be written.</summary>
    public static UnavailableProblem Unavailable() => new(TypedResults.Problem(type: Problems.TypeBase + "audit-unavailable", statusCode: 503,
        title: "The command was not run", detail: "Its audit entry could not be written (the database is unreachable); nothing changed. Try again."));

    public sealed class Entry(CommandAudit audit, long seq)
    {
        public long Seq => seq;

        /// <summary>
        /// Runs the command and completes the entry with its outcome; a command that throws is recorded as failed and
        /// rethrown, one whose answer was lost with a gateway as unknown (<see cref="GatewayLoss.CommandAsync{T}"/>; a long
        /// command such as an import is waited for <paramref name="untilDone"/> instead).
        /// </summary>
        public async Task<T> RunAsync<T>(Func<Task<T>> command, Func<T, (string Outcome, string? After)> describe, bool untilDone = false)
        {
            T result;
            try
            {
                result = await (untilDone ? command() : audit.Gateways.CommandAsync(command));
            }
            catch (CommandOutcomeUnknownException e)
            {
                await CompleteAsync("unknown", null, e.Message);
                throw;
            }
            catch (Exception e)
            {
                await CompleteAsync("failed", null, e.GetType().Name);
                throw;
            }
            var (outcome, after) = describe(result);
            await CompleteAsync(outcome, after);
            return result;
        }

        /// <summary>Best effort: the command has already answered; a lost completion leaves the entry "pending", never missing.</summary>
        public async Task CompleteAsync(string outcome, string? after = null, string? detail = null)
        {
            try
            {
                await audit.Gateways.CommandAsync(() => audit.Log.CompleteAsync(seq, outcome, after, detail));
            }
            catch (Exception e)
            {
                LogNotCompleted(audit.Logger, seq, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Refused {Action} on {Target}: its audit entry could not be written: {Reason}")]
    private static partial void LogUnavailable(ILogger logger, string action, string target, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Audit entry {Seq} stays pending: its outcome could not be written: {Reason}")]
    private static partial void LogNotCompleted(ILogger logger, long seq, string reason);
}
