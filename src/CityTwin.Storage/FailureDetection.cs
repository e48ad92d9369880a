using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace CityTwin.Storage;

/// <summary>
/// How fast the cluster notices a dead silo. Orleans' defaults (a 5 s probe, three missed, votes that stay two minutes)
/// take about 15 s from a SIGKILL until the dead silo's grains can activate elsewhere — 15 s of a district not
/// answering during an incident. A silo that is killed closes its sockets, so probes to it fail at once rather than
/// time out: a 1 s probe with three misses declares it dead in about 3 s. Orleans still widens the probe timeout while
/// the prober itself is unhealthy (GC pauses, a saturated thread pool) and counts recent traffic on a connection as
/// life, so a slow but living silo is not voted out by a busy neighbour. Every value can be overridden under
/// <see cref="Section"/> (the names of <see cref="ClusterMembershipOptions"/>).
/// </summary>
public static class FailureDetection
{
    public const string Section = "Cluster:Membership";

    public static ISiloBuilder UseCityTwinFailureDetection(this ISiloBuilder silo, IConfiguration configuration)
    {
        silo.Configure<ClusterMembershipOptions>(m =>
        {
            m.ProbeTimeout = TimeSpan.FromSeconds(1);
            m.MinProbeTimeout = TimeSpan.FromMilliseconds(500);
            m.MaxProbeTimeout = TimeSpan.FromSeconds(2);
            m.NumMissedProbesLimit = 3;
            // Suspicions from an earlier incident must not combine with a new one: votes expire after 30 s.
            m.DeathVoteExpirationTimeout = TimeSpan.FromSeconds(30);
            // Silos that learn of a death by gossip need no table poll; the poll is the fallback when gossip is lost.
            m.TableRefreshTimeout = TimeSpan.FromSeconds(5);
        });
        silo.Services.AddOptions<ClusterMembershipOptions>().Bind(configuration.GetSection(Section));
        return silo;
    }
}
