using CityTwin.Contracts.Scenarios;
using CityTwin.Domain.Scenarios;

namespace CityTwin.Grains.Scenarios;

[GenerateSerializer, Alias("SweepGrainState")]
public sealed class SweepGrainState
{
    /// <summary>Null until a sweep is started under this id.</summary>
    [Id(0)] public SweepView? View { get; set; }
    [Id(1)] public SweepSpec? Spec { get; set; }
    /// <summary>Every finished run's outcome, kept across restarts of the coordinator.</summary>
    [Id(2)] public List<SweepRunOutcome> Outcomes { get; set; } = [];
    /// <summary>Which activation of the coordinator hands out runs: outcomes of an earlier one's workers are not taken.</summary>
    [Id(3)] public int Epoch { get; set; }
}
