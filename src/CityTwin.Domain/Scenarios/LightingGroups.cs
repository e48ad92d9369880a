namespace CityTwin.Domain.Scenarios;

/// <summary>
/// Poles summed by (district, feeder): rated watts of junction and other poles, at full and at their own levels, so
/// a step of the lighting model costs one line per feeder instead of one per pole.
/// </summary>
internal sealed class LightingGroups
{
    public readonly int[] District, Feeder; // feeder −1: poles with no feeder named
    public readonly double[] JunctionRated, JunctionOwn, OtherRated, OtherOwn;
    public readonly int[] Working;
    /// <summary>Poles offline before anything happens (the live twin's meaning: without power), per district.</summary>
    public readonly int[] OfflinePerDistrict;

    public LightingGroups(TwinSnapshot s)
    {
        var index = new Dictionary<(int, int), int>();
        var district = new List<int>();
        var feeder = new List<int>();
        var poles = s.PoleIds.Length;
        var group = new int[poles];
        for (var p = 0; p < poles; p++)
        {
            var key = (s.PoleDistrict[p], s.PoleFeeder[p]);
            if (!index.TryGetValue(key, out var g))
            {
                index[key] = g = district.Count;
                district.Add(key.Item1);
                feeder.Add(key.Item2);
            }
            group[p] = g;
        }
        (District, Feeder) = ([.. district], [.. feeder]);
        var n = District.Length;
        (JunctionRated, JunctionOwn, OtherRated, OtherOwn, Working) = (new double[n], new double[n], new double[n], new double[n], new int[n]);
        OfflinePerDistrict = new int[s.Districts.Length];
        for (var p = 0; p < poles; p++)
        {
            // Older snapshots kept no status: every pole not working counted as offline then.
            if (s.PoleOffline.Length == poles ? s.PoleOffline[p] : !s.PoleWorking[p]) OfflinePerDistrict[s.PoleDistrict[p]]++;
            if (!s.PoleWorking[p]) continue;
            var g = group[p];
            Working[g]++;
            var own = s.PoleRatedW[p] * Math.Clamp(s.PoleDimLevel[p], 0, 100) / 100;
            if (s.PoleJunction[p]) { JunctionRated[g] += s.PoleRatedW[p]; JunctionOwn[g] += own; }
            else { OtherRated[g] += s.PoleRatedW[p]; OtherOwn[g] += own; }
        }
    }

    public int Count => District.Length;
}
