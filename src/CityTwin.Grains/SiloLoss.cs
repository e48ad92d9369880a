namespace CityTwin.Grains;

/// <summary>
/// Failures of a call whose target lived on a silo that is gone or going: refused connections until the cluster declares
/// the silo dead, then the requests it never answered. Both pass by themselves once the target activates elsewhere.
/// </summary>
internal static class SiloLoss
{
    public static bool Is(Exception exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
            if (e is SiloUnavailableException or OrleansMessageRejectionException) return true;
        return false;
    }
}
