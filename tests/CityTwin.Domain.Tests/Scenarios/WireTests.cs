using System.Text.Json;
using CityTwin.Domain.Lighting;
using CityTwin.Domain.Scenarios;
using Microsoft.Extensions.DependencyInjection;
using Orleans.Serialization;

namespace CityTwin.Domain.Tests.Scenarios;

/// <summary>Spec, snapshot and result cross the wire with Orleans' serializer (the grains will pass them around).</summary>
public sealed class WireTests
{
    private static readonly Serializer Serializer = new ServiceCollection().AddSerializer().BuildServiceProvider().GetRequiredService<Serializer>();

    private static T RoundTrip<T>(T value) => Serializer.Deserialize<T>(Serializer.SerializeToArray(value))!;

    private static string Json<T>(T value) => JsonSerializer.Serialize(value);

    [Fact]
    public void A_spec_a_snapshot_and_a_result_survive_the_trip()
    {
        var spec = ScenarioFixture.Spec(
            new Perturbation { Kind = PerturbationKind.LightingPolicy, Lighting = DimmingProfile.Typical, AtSeconds = 60 },
            new Perturbation { Kind = PerturbationKind.SignalPlanChange, TargetIds = [ScenarioFixture.Snapshot.Value.IntersectionIds[3]], Plan = SignalPlan.TwoPhase(80) });
        Assert.Equal(Json(spec), Json(RoundTrip(spec)));

        var snapshot = ScenarioFixture.Snapshot.Value;
        Assert.Equal(Json(snapshot), Json(RoundTrip(snapshot)));

        var result = ScenarioRunner.Run(spec, snapshot);
        Assert.Equal(Json(result), Json(RoundTrip(result)));
    }
}
