using System.Net;
using System.Net.Sockets;

internal static class FreePort
{
    /// <summary>A loopback TCP port that is free now (the OS picks it); <paramref name="configured"/> when not 0.</summary>
    public static int Pick(int configured = 0)
    {
        if (configured != 0) return configured;
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
