using System.Diagnostics;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>The emulators and servers tests start as child processes (Azurite, smtp4dev).</summary>
public static class ServerProcess
{
    /// <summary>Stops the process and everything it started (npx and dotnet tools run the server as a child).</summary>
    public static void Stop(Process? process)
    {
        if (process is { HasExited: false })
        {
            process.Kill(entireProcessTree: true);
            process.WaitForExit(5000);
        }
        process?.Dispose();
    }
}
