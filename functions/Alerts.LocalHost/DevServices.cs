using System.Diagnostics;
using System.Net.Sockets;

namespace Alerts.LocalHost;

/// <summary>
/// Starts the local stand-ins for Azure: Azurite (storage) and smtp4dev (SMTP with a web inbox). A service that
/// already listens on its port is used as it is. Everything started here is stopped on <see cref="DisposeAsync"/>.
/// </summary>
public sealed class DevServices(string repositoryRoot, ILogger logger) : IAsyncDisposable
{
    public const int AzuriteBlobPort = 10000, AzuriteQueuePort = 10001, AzuriteTablePort = 10002;
    public const int SmtpPort = 2525, InboxPort = 5080;

    private readonly List<Process> _started = [];

    public string InboxUrl => $"http://127.0.0.1:{InboxPort}";

    public async Task StartAsync(bool inMemory, CancellationToken cancellationToken)
    {
        if (await IsListeningAsync(AzuriteQueuePort))
            logger.LogInformation("Storage: using the Azurite already listening on 127.0.0.1:{Port}", AzuriteQueuePort);
        else
        {
            var azurite = Path.Combine(repositoryRoot, "node_modules", ".bin", "azurite");
            if (!File.Exists(azurite))
                await RunToEndAsync("npm", ["ci", "--no-audit", "--no-fund"], cancellationToken);
            var args = new List<string> { "--silent", "--skipApiVersionCheck", "--loose",
                "--blobHost", "127.0.0.1", "--queueHost", "127.0.0.1", "--tableHost", "127.0.0.1" };
            if (inMemory)
                args.Add("--inMemoryPersistence");
            else
            {
                var data = Path.Combine(repositoryRoot, ".alerts-data", "azurite");
                Directory.CreateDirectory(data);
                args.AddRange(["--location", data]);
            }
            Start(azurite, args);
            foreach (var port in new[] { AzuriteBlobPort, AzuriteQueuePort, AzuriteTablePort })
                await WaitForPortAsync("Azurite", port, TimeSpan.FromSeconds(60), cancellationToken);
        }

        if (await IsListeningAsync(SmtpPort))
            logger.LogInformation("SMTP: using the server already listening on 127.0.0.1:{Port}", SmtpPort);
        else
        {
            await RunToEndAsync("dotnet", ["tool", "restore"], cancellationToken);
            Start("dotnet", ["tool", "run", "smtp4dev", "--", $"--urls=http://127.0.0.1:{InboxPort}", $"--smtpport={SmtpPort}", "--bindaddress=127.0.0.1",
                "--imapport=", "--pop3port=", "--db="]);
            await WaitForPortAsync("smtp4dev", SmtpPort, TimeSpan.FromSeconds(90), cancellationToken);
            await WaitForPortAsync("smtp4dev inbox", InboxPort, TimeSpan.FromSeconds(60), cancellationToken);
        }
    }

    private void Start(string file, IEnumerable<string> args)
    {
        var info = new ProcessStartInfo(file) { WorkingDirectory = repositoryRoot, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        // Drain the output so the child never blocks on a full pipe.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _started.Add(process);
    }

    private async Task RunToEndAsync(string file, string[] args, CancellationToken cancellationToken)
    {
        logger.LogInformation("Running {Command} {Args}", file, string.Join(' ', args));
        var info = new ProcessStartInfo(file) { WorkingDirectory = repositoryRoot };
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {file}.");
        await process.WaitForExitAsync(cancellationToken);
        if (process.ExitCode != 0)
            throw new InvalidOperationException($"'{file} {string.Join(' ', args)}' exited with code {process.ExitCode}.");
    }

    private async Task WaitForPortAsync(string name, int port, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (!await IsListeningAsync(port))
        {
            if (_started.FirstOrDefault(p => p.HasExited) is { } exited)
                throw new InvalidOperationException($"{name} exited with code {exited.ExitCode} before listening on port {port}.");
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"{name} did not listen on 127.0.0.1:{port} within {timeout.TotalSeconds:0} s.");
            await Task.Delay(200, cancellationToken);
        }
    }

    private static async Task<bool> IsListeningAsync(int port)
    {
        try
        {
            using var client = new TcpClient();
            await client.ConnectAsync("127.0.0.1", port).WaitAsync(TimeSpan.FromSeconds(1));
            return true;
        }
        catch (Exception ex) when (ex is SocketException or TimeoutException)
        {
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var process in _started.AsEnumerable().Reverse())
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
            process.Dispose();
        }
        _started.Clear();
    }
}
