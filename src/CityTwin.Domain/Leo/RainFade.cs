namespace CityTwin.Domain.Leo;

/// <summary>
/// Rain attenuation on a slant path. Specific attenuation γ = k·R^α dB/km (ITU-R P.838-3, horizontal polarisation);
/// path through rain L = (h_R − h_s) / sin ε; attenuation γ·L·r with the horizontal reduction factor r of
/// ITU-R P.618 (step 7) for an uneven rain cell. Valid from 12 to 30 GHz (Ku and Ka band), elevations ≥ 5°.
/// </summary>
public static class RainFade
{
    // P.838-3 coefficients for horizontal polarisation (MODELS.md).
    private static readonly (double FrequencyGHz, double K, double Alpha)[] Table = [(12, 0.01882, 1.2168), (20, 0.07504, 1.0995), (30, 0.1864, 1.0202)];

    /// <summary>k and α at a frequency: the table's values, log k and α interpolated linearly in log f between them (as P.838 does).</summary>
    public static (double K, double Alpha) Coefficients(double frequencyGHz)
    {
        if (frequencyGHz is < 12 or > 30) throw new ArgumentOutOfRangeException(nameof(frequencyGHz), "Coefficients are tabled for 12–30 GHz.");
        var i = frequencyGHz <= Table[1].FrequencyGHz ? 0 : 1;
        var (f0, k0, a0) = Table[i];
        var (f1, k1, a1) = Table[i + 1];
        var t = Math.Log(frequencyGHz / f0) / Math.Log(f1 / f0);
        return (Math.Exp(Math.Log(k0) + t * (Math.Log(k1) - Math.Log(k0))), a0 + t * (a1 - a0));
    }

    /// <summary>γ = k·R^α, dB/km, for a rain rate in mm/h.</summary>
    public static double SpecificAttenuation(double rainRateMmPerHour, double frequencyGHz)
    {
        if (rainRateMmPerHour <= 0) return 0;
        var (k, alpha) = Coefficients(frequencyGHz);
        return k * Math.Pow(rainRateMmPerHour, alpha);
    }

    /// <summary>L = (h_R − h_s) / sin ε, km: the slant path below the rain height.</summary>
    public static double SlantPathKm(double elevationDeg, double rainHeightKm, double stationHeightKm = 0)
    {
        if (elevationDeg < 5) throw new ArgumentOutOfRangeException(nameof(elevationDeg), "The slant-path model holds from 5° of elevation.");
        return Math.Max(0, rainHeightKm - stationHeightKm) / Math.Sin(elevationDeg * Math.PI / 180);
    }

    /// <summary>P.618 horizontal reduction: r = 1 / (1 + 0.78 √(L_G γ / f) − 0.38 (1 − e^(−2 L_G))), L_G = L cos ε.</summary>
    public static double ReductionFactor(double slantPathKm, double elevationDeg, double specificAttenuation, double frequencyGHz)
    {
        if (slantPathKm <= 0 || specificAttenuation <= 0) return 1;
        var horizontal = slantPathKm * Math.Cos(elevationDeg * Math.PI / 180);
        return 1 / (1 + 0.78 * Math.Sqrt(horizontal * specificAttenuation / frequencyGHz) - 0.38 * (1 - Math.Exp(-2 * horizontal)));
    }

    /// <summary>Rain attenuation in dB, with or without the path reduction.</summary>
    public static double AttenuationDb(double rainRateMmPerHour, double frequencyGHz, double elevationDeg, double rainHeightKm,
        double stationHeightKm = 0, bool pathReduction = true)
    {
        var gamma = SpecificAttenuation(rainRateMmPerHour, frequencyGHz);
        if (gamma == 0) return 0;
        var path = SlantPathKm(elevationDeg, rainHeightKm, stationHeightKm);
        return gamma * path * (pathReduction ? ReductionFactor(path, elevationDeg, gamma, frequencyGHz) : 1);
    }
}
