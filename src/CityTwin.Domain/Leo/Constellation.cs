namespace CityTwin.Domain.Leo;

/// <summary>
/// A Walker-delta shell of circular orbits i:T/P/F: <see cref="Planes"/> planes spread evenly in right ascension, each
/// with <see cref="SatellitesPerPlane"/> evenly spaced satellites, neighbouring planes offset by F × 360°/T in argument
/// of latitude. Satellite k is in plane k / SatellitesPerPlane. Positions are a pure function of time, phased from J2000.
/// </summary>
public sealed record Constellation(double AltitudeKm, double InclinationDeg, int Planes, int SatellitesPerPlane, int PhasingFactor = 1)
{
    /// <summary>A Starlink-like shell: 550 km, 53°, 72 planes × 22 satellites (MODELS.md).</summary>
    public static Constellation StarlinkShell { get; } = new(550, 53, 72, 22, 17);

    public int SatelliteCount => Planes * SatellitesPerPlane;
    public double PeriodSeconds => Orbit.PeriodSeconds(AltitudeKm);

    /// <summary>The satellite's id, "sat-0001" upwards.</summary>
    public static string SatelliteId(int satellite) => $"sat-{satellite + 1:D4}";

    /// <summary>Earth-fixed (ECEF) positions of every satellite, km, at <paramref name="secondsSinceJ2000"/>, into x, y, z.</summary>
    public void PositionsEcef(double secondsSinceJ2000, Span<double> x, Span<double> y, Span<double> z)
    {
        var a = Orbit.EarthRadiusKm + AltitudeKm;
        var n = 2 * Math.PI / PeriodSeconds;
        var inclination = InclinationDeg * Math.PI / 180;
        var (sinI, cosI) = Math.SinCos(inclination);
        var theta = Orbit.GreenwichAngle(J2000.AddSeconds(secondsSinceJ2000));
        var total = SatelliteCount;
        var turn = (n * secondsSinceJ2000) % (2 * Math.PI);
        for (var p = 0; p < Planes; p++)
        {
            // The plane's node measured from Greenwich: inertial right ascension minus Earth's rotation.
            var (sinO, cosO) = Math.SinCos(2 * Math.PI * p / Planes - theta);
            for (var s = 0; s < SatellitesPerPlane; s++)
            {
                var k = p * SatellitesPerPlane + s;
                var u = 2 * Math.PI * s / SatellitesPerPlane + 2 * Math.PI * PhasingFactor * p / total + turn;
                var (sinU, cosU) = Math.SinCos(u);
                x[k] = a * (cosU * cosO - sinU * cosI * sinO);
                y[k] = a * (cosU * sinO + sinU * cosI * cosO);
                z[k] = a * sinU * sinI;
            }
        }
    }

    internal static readonly DateTimeOffset J2000 = new(2000, 1, 1, 12, 0, 0, TimeSpan.Zero);

    public static double SecondsSinceJ2000(DateTimeOffset utc) => (utc - J2000).TotalSeconds;
}
