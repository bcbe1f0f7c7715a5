using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Sockets;

namespace Alerts.Benchmarks;

/// <summary>
/// Azurite persisting to a folder on disk, on fixed loopback ports (<see cref="RestartPort"/>), that can be stopped and started again with its
/// data: a storage outage and recovery for the soak benchmark. Stopping sends SIGINT so Azurite saves its state, the
/// way a restarted storage service keeps what it acknowledged.
/// </summary>
public sealed class RestartableAzurite : IAsyncDisposable
{
    private readonly string _location;
    private readonly int _blob, _queue, _table;
    private Process? _process;
    private volatile bool _stopping;

    private RestartableAzurite(string location)
    {
        _location = location;
        var ports = RestartPort.Several(3);
        (_blob, _queue, _table) = (ports[0], ports[1], ports[2]);
        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        ConnectionString = $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};" +
            $"BlobEndpoint=http://127.0.0.1:{_blob}/devstoreaccount1;QueueEndpoint=http://127.0.0.1:{_queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{_table}/devstoreaccount1;";
    }

    public string ConnectionString { get; }

    public static async Task<RestartableAzurite> StartAsync(string location)
    {
        var azurite = new RestartableAzurite(location);
        await azurite.StartAgainAsync();
        return azurite;
    }

    /// <summary>
    /// Starts Azurite on the folder and ports, up to three times if it exits before it listens; the error names its
    /// exit code and what it printed.
    /// </summary>
    public async Task StartAgainAsync()
    {
        for (var attempt = 1; ; attempt++)
        {
            var errors = new ConcurrentQueue<string>();
            var process = Launch(errors);
            try
            {
                await LocalAzurite.WaitForPortsAsync(process, _blob, _queue, _table);
                return;
            }
            catch (SocketException) when (process.HasExited)
            {
                var reason = $"Azurite exited with code {process.ExitCode} before listening: {string.Join(" | ", errors)}";
                if (attempt == 3)
                    throw new InvalidOperationException(reason);
                Console.Error.WriteLine($"azurite: {reason}; starting it again");
                await Task.Delay(TimeSpan.FromSeconds(1));
            }
        }
    }

    private Process Launch(ConcurrentQueue<string> errors)
    {
        var root = LocalAzurite.RepositoryRoot();
        var executable = Path.Combine(root, "node_modules", ".bin", "azurite");
        if (!File.Exists(executable))
            throw new InvalidOperationException($"Azurite is not installed at {executable}: run 'npm ci' in {root}.");
        var info = new ProcessStartInfo(executable) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var arg in new[] { "--location", _location, "--skipApiVersionCheck", "--silent", "--loose",
                     "--blobHost", "127.0.0.1", "--blobPort", $"{_blob}", "--queueHost", "127.0.0.1", "--queuePort", $"{_queue}",
                     "--tableHost", "127.0.0.1", "--tablePort", $"{_table}" })
            info.ArgumentList.Add(arg);
        var process = Process.Start(info)!;
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (string.IsNullOrWhiteSpace(e.Data))
                return;
            errors.Enqueue(e.Data);
            Console.Error.WriteLine($"azurite: {e.Data}");
        };
        process.EnableRaisingEvents = true;
        process.Exited += (_, _) =>
        {
            if (_process == process && !_stopping)
                Console.Error.WriteLine($"azurite: exited on its own with code {process.ExitCode}");
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        _process = process;
        return process;
    }

    /// <summary>Asks Azurite to shut down (SIGINT: it closes its servers and saves), and kills it if it has not within 15 s.</summary>
    public async Task StopAsync()
    {
        if (_process is not { HasExited: false } process)
            return;
        _stopping = true;
        using (var kill = Process.Start(new ProcessStartInfo("kill") { ArgumentList = { "-INT", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture) } })!)
            await kill.WaitForExitAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        process.Dispose();
        _process = null;
        _stopping = false;
    }

    public async ValueTask DisposeAsync()
    {
        _stopping = true;
        if (_process is { HasExited: false } process)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
        }
        _process?.Dispose();
    }
}
