using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Configuration;

namespace CityTwin.Storage;

/// <summary>
/// Gives a silo that joins (or comes back after a crash) its share of the city. New activations are placed at random,
/// but a running city makes few: without this, the silos that survived a crash keep every grain they took over, and the
/// one never killed ends up holding the city (a 30-minute soak with a kill every 5 minutes: 1,016 → 2,298 of ~2,370
/// activations on it, its memory with them, while the restarted silo came back to 61–234). Orleans' activation
/// rebalancer moves activations from the fullest silos to the emptiest (by count and memory) in small steps, one
/// exchange every <see cref="ActivationRebalancerOptions.SessionCyclePeriod"/>. It moves only grains a deactivation
/// does not disturb: the asset grains (they write what they have not stored when deactivated), their detections, the
/// alarms, Orleans' stream rendezvous. Grains that hold running work or a view kept only in memory (district, feed,
/// alarm board, city, fan-outs, scenarios and their sweeps) are marked <c>[Immovable(ImmovableKind.Rebalancer)]</c>
/// and stay where they are. Options under <see cref="Section"/> (the names of <see cref="ActivationRebalancerOptions"/>);
/// <c>Cluster:Rebalancing:Enabled=false</c> turns it off.
/// </summary>
public static class Rebalancing
{
    public const string Section = "Cluster:Rebalancing";

    public static ISiloBuilder UseCityTwinRebalancing(this ISiloBuilder silo, IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        if (!section.GetValue("Enabled", true)) return silo;
#pragma warning disable ORLEANSEXP002 // experimental in Orleans 10.4.2; what it does here is measured by the soak (README)
        silo.AddActivationRebalancer();
#pragma warning restore ORLEANSEXP002
        silo.Services.AddOptions<ActivationRebalancerOptions>().Bind(section);
        return silo;
    }
}
