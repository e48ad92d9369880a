namespace CityTwin.Domain.Lighting;

/// <summary>
/// A night's dimming schedule (TALQ-style: an astronomical start, then clock-time steps): from dusk the lights give
/// <see cref="DuskLevelPercent"/> of their output, then each step in night order (evening hours before morning
/// ones) changes it, until dawn switches them off. Junction poles stay at full output unless <see cref="DimJunctions"/>.
/// </summary>
[GenerateSerializer, Alias("DimmingProfile")]
public sealed record DimmingProfile
{
    /// <summary>Output from dusk, percent; null keeps each pole's own configured level.</summary>
    [Id(0)] public double? DuskLevelPercent { get; init; }
    [Id(1)] public DimmingStep[] Steps { get; init; } = [];
    [Id(2)] public bool DimJunctions { get; init; }

    /// <summary>Each pole at its own configured level all night: what the twin's poles do unless a policy says otherwise.</summary>
    public static DimmingProfile OwnLevels { get; } = new();

    /// <summary>The common schedule of MODELS.md: 30 % dimmed dusk–midnight, 50 % midnight–05:00, 30 % 05:00–dawn.</summary>
    public static DimmingProfile Typical { get; } = new() { DuskLevelPercent = 70, Steps = [new(0, 50), new(5, 70)] };

    /// <summary>The output (percent) of a lit pole at a local clock time.</summary>
    public double OutputPercent(double localHour, double ownLevelPercent, bool junction) =>
        junction && !DimJunctions ? 100 : LevelAt(localHour) ?? ownLevelPercent;

    /// <summary>The profile's level at a local clock time for a pole it dims; null means the pole's own level.</summary>
    public double? LevelAt(double localHour)
    {
        var level = DuskLevelPercent;
        var now = NightOrder(localHour);
        var latest = double.NegativeInfinity;
        foreach (var step in Steps)
        {
            var at = NightOrder(step.AtHour);
            if (at <= now && at >= latest) (level, latest) = (step.LevelPercent, at);
        }
        return level;
    }

    /// <summary>Hours since noon: orders a night's clock times from evening to morning.</summary>
    private static double NightOrder(double hour) => ((hour - 12) % 24 + 24) % 24;
}
