namespace CityTwin.Domain.Alarms;

/// <summary>
/// The root cause a cause chain ends in, as a key alarms are grouped by. Every chain's last entry reads
/// "{subject}: what happened" (see <see cref="AlarmRules"/>): the subject is an asset (a link down, a controller
/// fault), a feeder ("feeder-d01-2: feeder outage") or a district's supply ("district d01: power outage").
/// </summary>
public static class AlarmRoots
{
    private const string DistrictPrefix = "district ";

    /// <summary>
    /// The root's id: the asset or feeder id, "district:{id}" for a district's supply (no asset or feeder can be
    /// named with the space that phrase holds), or the alarm's own asset when its chain names no subject.
    /// </summary>
    public static string Of(string assetId, string[] cause)
    {
        if (cause.Length == 0) return assetId;
        var last = cause[^1];
        var colon = last.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0) return assetId; // "power outage" of an unknown source: nothing to group it under
        return last.StartsWith(DistrictPrefix, StringComparison.Ordinal) ? "district:" + last[DistrictPrefix.Length..colon] : last[..colon];
    }
}
