namespace CityTwin.Domain.Assets;

/// <summary>
/// What an operator would call a change of an asset's state, in words: status, operator status, link condition,
/// control mode, camera feed, lamp and power faults, and what the asset hears from its backhaul and power supply.
/// Telemetry values (dim level, counts, latency) are not state changes: they are in the reading buffer.
/// </summary>
public static class StateDiff
{
    /// <summary>
    /// The changes from <paramref name="previous"/> to <paramref name="next"/>; empty when none, and for a new asset
    /// (its creation is not logged: a million imported assets would each hold an entry saying so).
    /// </summary>
    public static string[] Between(Asset? previous, Asset next)
    {
        if (previous is null) return [];
        List<string>? changes = null; // most changes are telemetry: allocate only when the state moved
        Add(ref changes, "status", previous.Status, next.Status);
        Add(ref changes, "operatorStatus", previous.OperatorStatus, next.OperatorStatus);
        Add(ref changes, "condition", previous.Link?.Condition, next.Link?.Condition);
        Add(ref changes, "mode", previous.Intersection?.ActiveMode, next.Intersection?.ActiveMode);
        Add(ref changes, "controllerFault", previous.Intersection?.ControllerFault, next.Intersection?.ControllerFault);
        Add(ref changes, "feedOnline", previous.Camera?.FeedOnline, next.Camera?.FeedOnline);
        Add(ref changes, "lampFault", previous.Pole?.LampFault, next.Pole?.LampFault);
        Add(ref changes, "driverFault", previous.Pole?.DriverFault, next.Pole?.DriverFault);
        Add(ref changes, "backhaul", previous.Upstream.Backhaul, next.Upstream.Backhaul);
        if (previous.Upstream.Powered != next.Upstream.Powered)
            (changes ??= []).Add(next.Upstream.Powered ? "power: restored" : $"power: cut ({next.Upstream.PowerCause ?? "unknown"})");
        if (previous.District != next.District) (changes ??= []).Add($"district: {previous.District} → {next.District}");
        return changes is null ? [] : [.. changes];
    }

    private static void Add<T>(ref List<string>? changes, string name, T? before, T? after)
    {
        if (EqualityComparer<T?>.Default.Equals(before, after)) return;
        (changes ??= []).Add($"{name}: {Text(before)} → {Text(after)}");
    }

    private static string Text<T>(T? value) => value switch
    {
        null => "none",
        bool b => b ? "true" : "false",
        Enum e => char.ToLowerInvariant(e.ToString()[0]) + e.ToString()[1..],
        _ => value.ToString() ?? "",
    };
}
