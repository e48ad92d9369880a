namespace CityTwin.Domain.Leo;

/// <summary>
/// Follows the serving satellite of ground terminals through time: a terminal takes the highest satellite in view
/// and keeps it until it sinks below the minimum elevation (25° for a Starlink-like shell), then hands over to the
/// highest one then in view; with none in view the link is out. Satellites far from every terminal are skipped
/// with one dot product each, so a 1,584-satellite shell over a city costs microseconds per step.
/// </summary>
public static class LinkTracker
{
    public const double DefaultMinElevationDeg = 25;

    public static LinkTrack Track(Constellation constellation, IReadOnlyList<GroundTerminal> terminals, DateTimeOffset start,
        int steps, double stepSeconds, double minElevationDeg = DefaultMinElevationDeg)
    {
        if (steps < 1 || !(stepSeconds > 0)) throw new ArgumentOutOfRangeException(nameof(steps), "Track at least one step of positive length.");
        var track = new LinkTrack(terminals.Count, steps, stepSeconds, constellation.AltitudeKm);
        if (terminals.Count == 0) return track;
        var n = constellation.SatelliteCount;
        var x = new double[n];
        var y = new double[n];
        var z = new double[n];
        var candidates = new List<int>(64);
        var serving = new int[terminals.Count];
        var handovers = new int[terminals.Count];
        Array.Fill(serving, -1);

        // Satellites that can be above the minimum elevation anywhere among the terminals lie within the footprint
        // angle λ of their mean vertical, widened by the terminals' own spread around it.
        double ux = 0, uy = 0, uz = 0;
        foreach (var t in terminals) (ux, uy, uz) = (ux + t.UpX, uy + t.UpY, uz + t.UpZ);
        var norm = Math.Sqrt(ux * ux + uy * uy + uz * uz);
        (ux, uy, uz) = (ux / norm, uy / norm, uz / norm);
        var spread = terminals.Max(t => Math.Acos(Math.Clamp(t.UpX * ux + t.UpY * uy + t.UpZ * uz, -1, 1)));
        var cone = Math.Cos(Math.Min(Math.PI, Orbit.EarthCentralAngle(minElevationDeg, constellation.AltitudeKm) + spread + 0.01));
        var a = Orbit.EarthRadiusKm + constellation.AltitudeKm;

        var t0 = Constellation.SecondsSinceJ2000(start);
        for (var step = 0; step < steps; step++)
        {
            constellation.PositionsEcef(t0 + step * stepSeconds, x, y, z);
            candidates.Clear();
            for (var s = 0; s < n; s++)
                if ((x[s] * ux + y[s] * uy + z[s] * uz) / a >= cone) candidates.Add(s);
            for (var t = 0; t < terminals.Count; t++)
            {
                var terminal = terminals[t];
                double elevation = 0, range = 0;
                var sat = serving[t];
                if (sat >= 0) (elevation, range) = terminal.Look(x[sat], y[sat], z[sat]);
                if (sat < 0 || elevation < minElevationDeg)
                {
                    var best = -1;
                    double bestElevation = minElevationDeg, bestRange = 0;
                    foreach (var c in candidates)
                    {
                        var (e, r) = terminal.Look(x[c], y[c], z[c]);
                        if (e >= bestElevation && (best < 0 || e > bestElevation)) (best, bestElevation, bestRange) = (c, e, r);
                    }
                    if (sat >= 0 && best >= 0) handovers[t]++;
                    (sat, elevation, range) = (best, bestElevation, bestRange);
                    serving[t] = sat;
                }
                var k = t * steps + step;
                track.Satellite[k] = sat;
                track.ElevationDeg[k] = sat < 0 ? double.NaN : elevation;
                track.RangeKm[k] = sat < 0 ? double.NaN : range;
                track.Handovers[k] = handovers[t];
            }
        }
        return track;
    }
}
