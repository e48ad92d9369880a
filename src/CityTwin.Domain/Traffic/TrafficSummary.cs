namespace CityTwin.Domain.Traffic;

/// <summary>
/// Network totals of a run so far. Time loss is the time vehicles spent queued (at signals, stops, spillback and at
/// their origin waiting to enter) divided by the trips completed: run the network empty for a true mean.
/// </summary>
public sealed record TrafficSummary(
    int SimulatedSeconds,
    double VehiclesEntered,
    double VehiclesCompleted,
    double VehiclesInNetwork,
    double TotalDelayVehicleSeconds,
    double MeanTimeLossSeconds,
    double MaxQueueVehicles);
