using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Grains.Scenarios;

[GenerateSerializer, Alias("OptimisationGrainState")]
public sealed class OptimisationGrainState
{
    /// <summary>Null until an optimisation is started under this id.</summary>
    [Id(0)] public OptimisationView? View { get; set; }
    [Id(1)] public OptimiseSpec? Spec { get; set; }
    [Id(2)] public int Attempt { get; set; }
}
