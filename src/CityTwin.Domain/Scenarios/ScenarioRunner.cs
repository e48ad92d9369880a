using CityTwin.Domain.Leo;
using CityTwin.Domain.Traffic;

namespace CityTwin.Domain.Scenarios;

/// <summary>
/// Runs a scenario: the baseline (the snapshot as it is) and the variant (with the perturbations) side by side, on
/// the same traffic warm-up (forked at the start), the same seeded demand and the same satellite geometry, so every
/// difference between them comes from the perturbations. Pure and single-threaded: no clock, no I/O, no shared
/// state; cancellable, with progress after every KPI interval.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>The satellite geometry, the cascades and the lights are re-evaluated at least this often.</summary>
    public const int StepSeconds = 15;
    /// <summary>Signal cabinets keep their controller running this long on battery after a power cut (MODELS.md: ≥ 4 h).</summary>
    public const int BatterySeconds = 4 * 3_600;
    /// <summary>Adaptive control falls back to its fixed plan when its camera feeds have been lost this long.</summary>
    public const int DetectionTimeoutSeconds = 60;

    /// <param name="snapshot">The snapshot the spec refers to; may be left out when the spec carries its assets.</param>
    /// <exception cref="ArgumentException">The spec is not valid for the snapshot (check it with <see cref="ScenarioValidator"/> first).</exception>
    public static ScenarioResult Run(ScenarioSpec spec, TwinSnapshot? snapshot = null, IProgress<ScenarioProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        snapshot ??= spec.Assets is { } assets ? TwinSnapshot.FromAssets(assets)
            : throw new ArgumentException("The spec names a stored snapshot: pass that snapshot.", nameof(snapshot));
        var errors = ScenarioValidator.Validate(spec, snapshot);
        if (errors.Count > 0)
            throw new ArgumentException("Invalid scenario: " + string.Join("; ", errors.Select(e => $"{e.Field} {e.Message}")), nameof(spec));
        return new ScenarioRun(spec, snapshot, Constellation.StarlinkShell, LinkBudget.Default, progress, cancellationToken).Execute();
    }
}
