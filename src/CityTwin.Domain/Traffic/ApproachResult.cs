namespace CityTwin.Domain.Traffic;

/// <summary>
/// One intersection approach over a run so far: queue now and at its longest (vehicles), mean control delay of the
/// vehicles that crossed the stop line (s/veh), and how many did.
/// </summary>
public readonly record struct ApproachResult(double QueueVehicles, double MaxQueueVehicles, double MeanDelaySeconds, double Throughput);
