namespace CityTwin.LoadTests;

/// <summary>What one failover run measured and found.</summary>
public sealed record FailoverResult
{
    /// <summary>Asset grains the killed silo held at the moment of the kill.</summary>
    public required int VictimGrains { get; init; }
    /// <summary>From the kill until the surviving silos' membership marked the victim dead.</summary>
    public required TimeSpan DeclaredDead { get; init; }
    /// <summary>From the kill until every asset grain the victim held had answered a GET again.</summary>
    public required TimeSpan Recovery { get; init; }
    /// <summary>The longest a status change took to be answered (acknowledged or not): what a client caught by the kill waits.</summary>
    public required TimeSpan SlowestWrite { get; init; }
    /// <summary>Status changes the API acknowledged (200) during the run, and those it did not (error or timeout).</summary>
    public required int AckedWrites { get; init; }
    public required int UnackedWrites { get; init; }
    /// <summary>Assets whose final status is neither their last acknowledged one nor the one unacknowledged attempt after it.</summary>
    public required IReadOnlyList<string> Lost { get; init; }
    /// <summary>Assets that did not answer a GET at the end.</summary>
    public required IReadOnlyList<string> Unanswered { get; init; }

    public override string ToString() =>
        $"victim held {VictimGrains} asset grains; declared dead after {DeclaredDead.TotalSeconds:0.0} s; all of them answered after " +
        $"{Recovery.TotalSeconds:0.0} s; slowest write {SlowestWrite.TotalSeconds:0.0} s; {AckedWrites} acknowledged and {UnackedWrites} unacknowledged status changes; " +
        $"{Lost.Count} lost, {Unanswered.Count} not answering";
}
