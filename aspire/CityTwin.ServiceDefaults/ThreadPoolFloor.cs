using Microsoft.Extensions.Configuration;

namespace Microsoft.Extensions.Hosting;

/// <summary>
/// A floor under the thread pool's workers: <c>ThreadPool:MinWorkerThreads</c>, by default four per core.
/// </summary>
/// <remarks>
/// The pool's hill climbing keeps as many workers busy as there are cores, and a worker serves the work its own tasks
/// queue before the pool's shared queue, where the sockets' receive continuations wait. When a silo takes over a dead
/// one, Orleans' directory recovery and stream agents keep both workers of a two-core machine busy for their 100 ms
/// scheduling quantum each: traced in the failover benchmark, the surviving silo's gateway read no request for 80–110 ms
/// while three more workers sat idle. With a floor above the cores a spare worker takes the socket's work at once; the
/// operating system then shares the cores among them.
/// </remarks>
public static class ThreadPoolFloor
{
    public const string Key = "ThreadPool:MinWorkerThreads";

    public static TBuilder RaiseThreadPoolFloor<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        var floor = builder.Configuration.GetValue(Key, 4 * Environment.ProcessorCount);
        if (floor is < 1 or > 1_000)
            throw new InvalidOperationException($"{Key} is {floor}: it must be between 1 and 1,000 (default: 4 per core, here {4 * Environment.ProcessorCount}).");
        ThreadPool.GetMinThreads(out var workers, out var io);
        if (floor > workers) ThreadPool.SetMinThreads(floor, io);
        return builder;
    }
}
