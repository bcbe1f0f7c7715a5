using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Alerts.Benchmarks;

/// <summary>
/// Free loopback ports for a server that stops and starts again on the same ports. They are chosen below the system's
/// ephemeral range: a port from that range (what binding port 0 hands out, and the local end of every outgoing
/// connection) can be taken by another test's socket while the server is down, and the restart then fails on
/// "address in use". Below the range only a fixed-port listener could take it, and the tests have none.
/// </summary>
public static class RestartPort
{
    public static int[] Several(int count)
    {
        var (low, _) = EphemeralRange();
        var floor = Math.Max(1024, low - 12_000);
        var chosen = new List<int>();
        for (var attempt = 0; chosen.Count < count; attempt++)
        {
            if (attempt > 1_000)
                throw new InvalidOperationException($"No {count} free loopback ports between {floor} and {low}.");
            var port = Random.Shared.Next(floor, low);
            if (!chosen.Contains(port) && IsFree(port))
                chosen.Add(port);
        }
        return chosen.ToArray();
    }

    private static bool IsFree(int port)
    {
        try
        {
            using var listener = new TcpListener(IPAddress.Loopback, port);
            listener.Start();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>Linux's range from /proc; elsewhere the IANA dynamic range's start (49152) that Windows and macOS use.</summary>
    private static (int Low, int High) EphemeralRange()
    {
        const string path = "/proc/sys/net/ipv4/ip_local_port_range";
        if (File.Exists(path)
            && File.ReadAllText(path).Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries) is [var low, var high])
            return (int.Parse(low, CultureInfo.InvariantCulture), int.Parse(high, CultureInfo.InvariantCulture));
        return (49152, 65535);
    }
}
