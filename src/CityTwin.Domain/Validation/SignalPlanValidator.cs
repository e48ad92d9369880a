using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Validation;

public static class SignalPlanValidator
{
    public static void Validate(SignalPlan plan, List<ValidationError> errors, string field)
    {
        AssetValidator.Range(errors, $"{field}.cycleSeconds", plan.CycleSeconds, 30, 240);
        AssetValidator.Range(errors, $"{field}.lostTimePerPhaseSeconds", plan.LostTimePerPhaseSeconds, 0, 10);
        if (plan.Phases.Length is < 1 or > 8) { errors.Add(new($"{field}.phases", "must have 1–8 phases")); return; }
        var totalGreen = 0.0;
        for (var k = 0; k < plan.Phases.Length; k++)
        {
            var p = plan.Phases[k];
            var f = $"{field}.phases[{k}]";
            if (p.Approaches.Length == 0 || p.Approaches.Any(x => !Enum.IsDefined(x))) errors.Add(new($"{f}.approaches", "must name at least one of north, east, south, west"));
            AssetValidator.Range(errors, $"{f}.minGreenSeconds", p.MinGreenSeconds, 0, 240);
            AssetValidator.Range(errors, $"{f}.maxGreenSeconds", p.MaxGreenSeconds, p.MinGreenSeconds, 240);
            AssetValidator.Range(errors, $"{f}.greenSeconds", p.GreenSeconds, p.MinGreenSeconds, p.MaxGreenSeconds);
            totalGreen += p.GreenSeconds;
        }
        var available = plan.CycleSeconds - plan.Phases.Length * plan.LostTimePerPhaseSeconds;
        if (totalGreen > available + 1e-6)
            errors.Add(new($"{field}.phases", $"green times add up to {totalGreen:0.#} s but the cycle leaves {available:0.#} s after lost time"));
    }
}
