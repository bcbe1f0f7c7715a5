using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace Alerts.Core.Tests.Infrastructure;

public static class FreePort
{
    public static int Next() => Several(1)[0];

    /// <summary>
    /// <paramref name="count"/> different free ports, held open together while they are chosen (one at a time, the
    /// system may hand the same port out twice). Another process can still take one before the server binds it:
    /// servers started on these ports retry on fresh ones when they exit early (<see cref="AzuriteFixture"/>).
    /// </summary>
    public static int[] Several(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToList();
        try
        {
            foreach (var listener in listeners)
                listener.Start();
            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
                listener.Stop();
        }
    }

    /// <summary>Waits until a server process listens on the loopback port; fails early when the process exits.</summary>
    public static async Task WaitUntilListeningAsync(int port, TimeSpan timeout, Process process, Func<string> describeExit)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (process.HasExited)
                throw new InvalidOperationException(describeExit());
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(100);
            }
        }
    }
}
