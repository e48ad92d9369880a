using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;
using Orleans.Runtime;

namespace CityTwin.Storage;

/// <summary>
/// How fast the cluster notices a dead silo. Orleans' defaults (a 5 s probe, three missed, votes that stay two minutes)
/// take about 15 s from a SIGKILL until the dead silo's grains can activate elsewhere — 15 s of a district not
/// answering during an incident. Here probes start at 1 s, and Orleans adapts them between 0.5 s and 2 s: it widens
/// the probe timeout (and so the period) while the prober itself is unhealthy (GC pauses, a saturated thread pool,
/// a starved machine), treats a probe during which the prober stalled as inconclusive, and counts recent traffic on a
/// connection as life, so a slow but living silo is not voted out by a busy neighbour. Three missed probes are still
/// needed, which on a loaded machine is 1.5–6 s. A silo whose process has exited is declared dead sooner, on proof
/// rather than suspicion: its endpoint refuses connections (<see cref="ExitedSiloWatch"/>). Every value can be
/// overridden under <see cref="Section"/> (the names of <see cref="ClusterMembershipOptions"/>) and
/// <see cref="ExitedSiloOptions.Section"/>.
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
        // A silo whose process has exited is declared dead as soon as its endpoint refuses connections (ExitedSilos.cs);
        // one that is slow or hung keeps being judged by the probes above.
        silo.Services.AddOptions<ExitedSiloOptions>().Bind(configuration.GetSection(ExitedSiloOptions.Section));
        silo.Services.AddSingleton<ILifecycleParticipant<ISiloLifecycle>, ExitedSiloWatch>();
        return silo;
    }
}
