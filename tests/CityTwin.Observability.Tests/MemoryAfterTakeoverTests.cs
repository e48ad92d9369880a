using System.Collections.Immutable;
using System.Net;
using System.Threading.Channels;
using CityTwin.Silo;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Orleans.Runtime;

namespace CityTwin.Observability.Tests;

/// <summary>A silo gives memory back once, when the cluster has settled after a silo died or came back — not during it.</summary>
public sealed class MemoryAfterTakeoverTests
{
    private static readonly SiloAddress One = Silo(11111), Two = Silo(11112), TwoAgain = Silo(11112, generation: 2);
    private readonly FakeTimeProvider _time = new();
    private readonly Membership _membership = new();

    [Fact]
    public async Task A_silo_compacts_once_after_the_membership_has_been_still_for_the_settle_time()
    {
        using var memory = Start(TimeSpan.FromMinutes(2));
        await _membership.Publish((One, SiloStatus.Active), (Two, SiloStatus.Active));

        await _membership.Publish((One, SiloStatus.Active), (Two, SiloStatus.Dead)); // silo-2 killed
        await Elapse(TimeSpan.FromSeconds(30));
        await _membership.Publish((One, SiloStatus.Active), (Two, SiloStatus.Dead), (TwoAgain, SiloStatus.Active)); // and back
        await Elapse(TimeSpan.FromSeconds(110));
        Assert.Equal(0, memory.Compactions); // 2 min from the last change, not the first

        await _membership.Publish((One, SiloStatus.Active), (Two, SiloStatus.Dead), (TwoAgain, SiloStatus.Active)); // a new version, same silos
        await Elapse(TimeSpan.FromSeconds(10));
        await WaitUntil(() => memory.Compactions == 1);

        await Elapse(TimeSpan.FromMinutes(10));
        Assert.Equal(1, memory.Compactions); // once per settled change
    }

    [Fact]
    public async Task A_zero_settle_time_turns_it_off()
    {
        using var memory = Start(TimeSpan.Zero);
        _membership.Watched = false;
        await _membership.Publish((One, SiloStatus.Active));
        await _membership.Publish((One, SiloStatus.Active), (Two, SiloStatus.Active));
        await Elapse(TimeSpan.FromHours(1));
        Assert.Equal(0, memory.Compactions);
    }

    private MemoryAfterTakeover Start(TimeSpan settle)
    {
        var memory = new MemoryAfterTakeover(_membership, Options.Create(new MemoryAfterTakeoverOptions { Settle = settle }), _time,
            NullLogger<MemoryAfterTakeover>.Instance);
        memory.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return memory;
    }

    private async Task Elapse(TimeSpan span)
    {
        for (var step = TimeSpan.Zero; step < span; step += TimeSpan.FromSeconds(5))
        {
            _time.Advance(TimeSpan.FromSeconds(5));
            await Task.Delay(1);
        }
    }

    private static async Task WaitUntil(Func<bool> done)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); !done() && DateTime.UtcNow < deadline;) await Task.Delay(10);
        Assert.True(done());
    }

    private static SiloAddress Silo(int port, int generation = 1) => SiloAddress.New(new IPEndPoint(IPAddress.Loopback, port), generation);

    /// <summary>Orleans' membership service as far as the silo's memory watch uses it: snapshots, in order.</summary>
    private sealed class Membership : IClusterMembershipService
    {
        private readonly Channel<ClusterMembershipSnapshot> _updates = Channel.CreateUnbounded<ClusterMembershipSnapshot>();
        private long _version;

        /// <summary>Whether a watch reads the updates (a silo with the compaction off reads none).</summary>
        public bool Watched { get; set; } = true;

        public ClusterMembershipSnapshot CurrentSnapshot { get; private set; } = new(ImmutableDictionary<SiloAddress, ClusterMember>.Empty, MembershipVersion.MinValue);
        public IAsyncEnumerable<ClusterMembershipSnapshot> MembershipUpdates => _updates.Reader.ReadAllAsync();

        public async Task Publish(params (SiloAddress Silo, SiloStatus Status)[] members)
        {
            CurrentSnapshot = new(members.ToImmutableDictionary(m => m.Silo, m => new ClusterMember(m.Silo, m.Status, m.Silo.ToString())),
                new MembershipVersion(++_version));
            await _updates.Writer.WriteAsync(CurrentSnapshot);
            if (!Watched) return;
            // The watch takes it (and handles it at once) before the test's clock moves on.
            await WaitUntil(() => _updates.Reader.Count == 0);
            await Task.Delay(20);
        }

        public ValueTask Refresh(MembershipVersion minimumVersion = default, CancellationToken cancellationToken = default) => ValueTask.CompletedTask;
        public Task<bool> TryKill(SiloAddress siloAddress) => Task.FromResult(false);
    }
}
