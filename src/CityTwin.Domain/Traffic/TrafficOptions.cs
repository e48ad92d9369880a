namespace CityTwin.Domain.Traffic;

/// <summary>Settings of a <see cref="TrafficSimulation"/>; the defaults are the ones MODELS.md gives.</summary>
public sealed record TrafficOptions
{
    /// <summary>Seeds the Poisson arrivals; the same seed gives the same run, bit for bit.</summary>
    public int Seed { get; init; } = 1;
    public ArrivalProcess Arrivals { get; init; } = ArrivalProcess.Poisson;
    /// <summary>Trips start during [0, DemandSeconds); after it the network only clears.</summary>
    public int DemandSeconds { get; init; } = 3_600;
    public AdaptiveStrategy Adaptive { get; init; } = AdaptiveStrategy.MaxPressure;
    /// <summary>After its minimum green, a max-pressure controller reconsiders its phase this often (the MODELS.md prototype: 10 s).</summary>
    public int MaxPressureDecisionSeconds { get; init; } = 10;
    /// <summary>A Webster-retiming controller retimes at the first cycle end after this long.</summary>
    public int RetimeIntervalSeconds { get; init; } = 900;
    public double MaxCycleSeconds { get; init; } = Webster.DefaultMaxCycleSeconds;
    /// <summary>Departure headway of a dark or flashing junction run as an all-way stop (HCM: 4–7 s, ≈ 5 s).</summary>
    public double AllWayStopHeadwaySeconds { get; init; } = 5;
    /// <summary>
    /// Delay every vehicle takes for stopping and starting again at an all-way stop, on top of its wait in the queue.
    /// HCM adds 5 s; 8 s is calibrated against SUMO on grids other than the benchmark's, where dark junctions made
    /// trips quicker by half what 5 s did: a full stop and the crawl across from a standstill, whose loss SUMO shows on
    /// the streets beyond the junction (docs/models.md#cross-check-with-sumo).
    /// </summary>
    public double AllWayStopPenaltySeconds { get; init; } = 8;

    /// <summary>
    /// Critical gap of a left turn yielding to the opposing flow at a signal (permissive left, the only kind a phase
    /// serving both opposing approaches has): the shortest gap in the opposing stream a driver turns into. HCM's is
    /// 4.5 s; 5.35 s is calibrated against SUMO on grids other than the benchmark's (docs/models.md#cross-check-with-sumo).
    /// </summary>
    public double PermissiveLeftCriticalGapSeconds { get; init; } = 5.35;
    /// <summary>Follow-up time of permissive left turns: the headway of left-turners taking the same gap.</summary>
    public double PermissiveLeftFollowUpSeconds { get; init; } = 2.5;

    /// <summary>
    /// Seconds each vehicle crossing a signal loses while moving, per veh/h of its street's flow: braking behind
    /// turning and yielding vehicles and moving queues, pulling away behind others — encounters that grow with the
    /// traffic even where no queue does, and that a point queue moving at free speed does not have. SUMO's approach
    /// streets on the two calibration grids lose 2.6 s + 0.61 s per 100 veh/h this way (time lost less time standing,
    /// fitted over 1,664 streets at × 1 and × 1.3); the twin takes the part that grows with the flow
    /// (docs/models.md#cross-check-with-sumo).
    /// </summary>
    public double MovingLossSecondsPerVehPerHour { get; init; } = 0.006;
}
