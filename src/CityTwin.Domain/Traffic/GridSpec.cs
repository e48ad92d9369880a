using CityTwin.Domain.Assets;

namespace CityTwin.Domain.Traffic;

/// <summary>
/// A rows × columns grid of signalised intersections with equal blocks and the same road everywhere, and a fringe link
/// pair (in and out) at each end of every street: the benchmark and test network of issue 6.
/// </summary>
public sealed record GridSpec
{
    public int Rows { get; init; } = 10;
    public int Columns { get; init; } = 10;
    public double BlockLengthM { get; init; } = 200;
    /// <summary>Lanes in each direction.</summary>
    public int Lanes { get; init; } = 2;
    public double SpeedKmh { get; init; } = 50;
    public double FringeLengthM { get; init; } = 200;
    public double CycleSeconds { get; init; } = 90;
    public double LostTimePerPhaseSeconds { get; init; } = 4;
    public ControlMode Mode { get; init; } = ControlMode.FixedTime;
    /// <summary>The grid is cut into DistrictRows × DistrictColumns rectangular districts.</summary>
    public int DistrictRows { get; init; } = 1;
    public int DistrictColumns { get; init; } = 1;
}
