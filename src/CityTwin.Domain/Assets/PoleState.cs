namespace CityTwin.Domain.Assets;

/// <summary>Live attributes of a light pole, after FIWARE Smart Data Models <c>Streetlight</c>.</summary>
[GenerateSerializer, Alias("PoleState")]
public sealed record PoleState
{
    [Id(0)] public bool LampOn { get; init; }
    /// <summary>Light output in percent of full (0–100).</summary>
    [Id(1)] public double DimLevel { get; init; } = 100;
    /// <summary>Nameplate LED wattage: 30–50 W residential, 100–150 W main roads.</summary>
    [Id(2)] public double RatedPowerW { get; init; } = 60;
    [Id(3)] public double PowerW { get; init; }
    [Id(4)] public double EnergyKWh { get; init; }
    /// <summary>Relative illuminance 0–1 (FIWARE <c>illuminanceLevel</c>).</summary>
    [Id(5)] public double IlluminanceLevel { get; init; }
    [Id(6)] public bool LampFault { get; init; }
    [Id(7)] public bool DriverFault { get; init; }
    /// <summary>Whether the pole's controller reaches the twin through its backhaul.</summary>
    [Id(8)] public bool Connected { get; init; } = true;
    [Id(9)] public bool Powered { get; init; } = true;
    [Id(10)] public string[] Sensors { get; init; } = [];

    /// <summary>What the lamp draws now: rated power scaled by the dim level while lit (drivers are close to linear, MODELS.md).</summary>
    public double DrawW() => LampOn && Powered && !LampFault && !DriverFault ? RatedPowerW * DimLevel / 100 : 0;
}
