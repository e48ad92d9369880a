namespace CityTwin.LoadTests;

/// <summary>What one failover run measured and found.</summary>
public sealed record FailoverResult
{
    /// <summary>Asset grains the killed silo held at the moment of the kill.</summary>
    public required int VictimGrains { get; init; }
    /// <summary>From the SIGKILL until the process had exited (its sockets closed). The times below count from the SIGKILL.</summary>
    public required TimeSpan KillToExit { get; init; }
    /// <summary>From the kill until the surviving silos' membership marked the victim dead.</summary>
    public required TimeSpan DeclaredDead { get; init; }
    /// <summary>From the kill until every asset grain the victim held had answered a GET again.</summary>
    public required TimeSpan Recovery { get; init; }
    /// <summary>The longest a status change took to be answered (acknowledged or not): what a client caught by the kill waits.</summary>
    public required TimeSpan SlowestWrite { get; init; }
    /// <summary>
    /// GETs of the surviving silo's assets before the kill, quiet and while the recovery sweep read the victim's grains
    /// alive (the baseline: answered before the kill), and those in flight at the kill or sent until the victim's grains
    /// answered (during) — one steady stream split at the kill; of those, the ones in flight at the kill on their own.
    /// </summary>
    public required ReadLatencies SurvivorReadsQuiet { get; init; }
    public required ReadLatencies SurvivorReadsBefore { get; init; }
    public required ReadLatencies SurvivorReadsDuring { get; init; }
    public required ReadLatencies SurvivorReadsInFlightAtKill { get; init; }
    /// <summary>The slowest of the failover's survivor reads, each with when it was sent (from the SIGKILL): which moment of the failover they met.</summary>
    public required IReadOnlyList<string> SlowestSurvivorReads { get; init; }
    /// <summary>Status changes the API acknowledged (200) during the run, and those it did not, by answer (a status code, "error" or "timeout").</summary>
    public required int AckedWrites { get; init; }
    public required IReadOnlyDictionary<string, int> UnackedBy { get; init; }
    public int UnackedWrites => UnackedBy.Values.Sum();
    /// <summary>Assets whose final status is neither their last acknowledged one nor the one unacknowledged attempt after it.</summary>
    public required IReadOnlyList<string> Lost { get; init; }
    /// <summary>Assets that did not answer a GET at the end.</summary>
    public required IReadOnlyList<string> Unanswered { get; init; }
    /// <summary>
    /// The surviving silo's asset grains at the kill, and how many asset activations it destroyed from the kill until
    /// the recovery: each one a grain whose next read waits for it to load again, for a failover that was not its own.
    /// </summary>
    public required int SurvivorGrains { get; init; }
    public required long SurvivorsDeactivated { get; init; }
    /// <summary>
    /// Reads the API sent again (citytwin_read_copies_total) in the 3 s of the baseline sweep before the kill, and from
    /// the kill until the recovery; and the hedge delay of its asset reads at the kill.
    /// </summary>
    public required ReadCopies ReadCopiesBefore { get; init; }
    public required ReadCopies ReadCopiesDuring { get; init; }
    public required TimeSpan AssetHedgeDelayAtKill { get; init; }
    /// <summary>
    /// The surviving silo's asset reads answered without their district's newest readings
    /// (citytwin_asset_reads_without_district_total), in the 3 s before the kill and from the kill until the recovery.
    /// </summary>
    public required ReadsWithoutDistrict WithoutDistrictBefore { get; init; }
    public required ReadsWithoutDistrict WithoutDistrictDuring { get; init; }

    public override string ToString() =>
        $"victim held {VictimGrains} asset grains; exited {KillToExit.TotalSeconds:0.0} s after the SIGKILL; declared dead after {DeclaredDead.TotalSeconds:0.0} s; all of them answered after " +
        $"{Recovery.TotalSeconds:0.0} s; the survivor's assets read p99 {SurvivorReadsDuring.P(99):0.0} ms during it ({SurvivorReadsBefore.P(99):0.0} ms before under the same sweep, {SurvivorReadsQuiet.P(99):0.0} ms quiet; " +
        $"{SurvivorReadsInFlightAtKill.Sorted.Count} in flight at the kill{(SurvivorReadsInFlightAtKill.Sorted.Count == 0 ? "" : $", slowest {SurvivorReadsInFlightAtKill.Sorted[^1]:0.0} ms")}; " +
        $"slowest {string.Join(", ", SlowestSurvivorReads)}; " +
        $"{SurvivorReadsDuring.Errors} errors); slowest write {SlowestWrite.TotalSeconds:0.0} s; {AckedWrites} acknowledged and {UnackedWrites} unacknowledged status changes" +
        $"{(UnackedWrites == 0 ? "" : $" ({string.Join(", ", UnackedBy.OrderBy(u => u.Key, StringComparer.Ordinal).Select(u => $"{u.Key}: {u.Value}"))})")}; " +
        $"{Lost.Count} lost, {Unanswered.Count} not answering; the survivor deactivated {SurvivorsDeactivated} of its {SurvivorGrains} asset grains; " +
        $"the API copied reads {ReadCopiesDuring} during the failover ({ReadCopiesBefore} in the 3 s before it; asset reads' hedge delay at the kill {AssetHedgeDelayAtKill.TotalMilliseconds:0} ms); " +
        $"the survivor's reads without their district's readings {WithoutDistrictDuring} during it ({WithoutDistrictBefore} in the 3 s before it)";
}

/// <summary>A silo's asset reads answered without their district's newest readings, by reason (<c>citytwin_asset_reads_without_district_total</c>).</summary>
public sealed record ReadsWithoutDistrict(long Slow, long Silent)
{
    public ReadsWithoutDistrict Since(ReadsWithoutDistrict earlier) => new(Slow - earlier.Slow, Silent - earlier.Silent);

    public static ReadsWithoutDistrict Sum(IEnumerable<ReadsWithoutDistrict> runs) =>
        runs.Aggregate(new ReadsWithoutDistrict(0, 0), (sum, r) => new(sum.Slow + r.Slow, sum.Silent + r.Silent));

    public override string ToString() => $"{Slow} slow, {Silent} silent";
}

/// <summary>Reads the API sent again, by reason (<c>citytwin_read_copies_total</c>).</summary>
public sealed record ReadCopies(long Hedge, long SilentGateway, long GatewayLost, long NotSent)
{
    public ReadCopies Since(ReadCopies earlier) => new(Hedge - earlier.Hedge, SilentGateway - earlier.SilentGateway, GatewayLost - earlier.GatewayLost, NotSent - earlier.NotSent);

    public static ReadCopies Sum(IEnumerable<ReadCopies> runs) =>
        runs.Aggregate(new ReadCopies(0, 0, 0, 0), (sum, r) => new(sum.Hedge + r.Hedge, sum.SilentGateway + r.SilentGateway, sum.GatewayLost + r.GatewayLost, sum.NotSent + r.NotSent));

    public override string ToString() => $"{Hedge} hedged, {SilentGateway} for a silent gateway, {GatewayLost} after a lost gateway, {NotSent} not sent";
}

/// <summary>Read latencies in milliseconds, sorted, and how many reads failed or timed out.</summary>
public sealed record ReadLatencies(IReadOnlyList<double> Sorted, int Errors)
{
    internal static ReadLatencies Of(IEnumerable<FailoverRun.ReadRecord> reads)
    {
        var all = reads.ToList();
        return new([.. all.Select(r => r.Milliseconds).Order()], all.Count(r => r.Failed));
    }

    /// <summary>Several runs' reads as one.</summary>
    public static ReadLatencies Pool(IEnumerable<ReadLatencies> runs)
    {
        var all = runs.ToList();
        return new([.. all.SelectMany(r => r.Sorted).Order()], all.Sum(r => r.Errors));
    }

    public double P(double p) => Sorted.Count == 0 ? 0 : Sorted[Math.Clamp((int)Math.Ceiling(p / 100 * Sorted.Count) - 1, 0, Sorted.Count - 1)];
}
