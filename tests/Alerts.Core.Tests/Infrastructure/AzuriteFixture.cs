using System.Diagnostics;
using Alerts.Core.Storage;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>
/// A real Azurite (from the repo's node_modules) on free loopback ports, in memory, for the whole test run.
/// Set ALERTS_TEST_STORAGE to a connection string to use one that is already running.
/// </summary>
public sealed class AzuriteFixture : IAsyncLifetime
{
    private Process? _process;

    public string ConnectionString { get; private set; } = "";

    public async Task InitializeAsync()
    {
        var external = Environment.GetEnvironmentVariable("ALERTS_TEST_STORAGE");
        if (!string.IsNullOrEmpty(external))
        {
            ConnectionString = external;
            return;
        }

        var azurite = Path.Combine(RepositoryRoot.Path, "node_modules", ".bin", "azurite");
        if (!File.Exists(azurite))
            throw new InvalidOperationException($"Azurite is not installed at {azurite}: run 'npm ci' in the repository root.");

        // A port chosen free can be taken by another process (a client's ephemeral port) before Azurite binds it;
        // Azurite then exits at once, and a fresh set of ports is tried.
        int blob = 0, queue = 0, table = 0;
        for (var attempt = 1; ; attempt++)
        {
            var ports = FreePort.Several(3);
            (blob, queue, table) = (ports[0], ports[1], ports[2]);
            _process = StartAzurite(azurite, blob, queue, table);
            try
            {
                foreach (var port in new[] { blob, queue, table })
                    await WaitForPortAsync(port, TimeSpan.FromSeconds(120));
                break;
            }
            catch (InvalidOperationException) when (attempt < 3 && _process.HasExited)
            {
                _process.Dispose();
            }
        }

        const string key = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";
        ConnectionString =
            $"DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey={key};" +
            $"BlobEndpoint=http://127.0.0.1:{blob}/devstoreaccount1;" +
            $"QueueEndpoint=http://127.0.0.1:{queue}/devstoreaccount1;" +
            $"TableEndpoint=http://127.0.0.1:{table}/devstoreaccount1;";
    }

    /// <summary>A storage client with every table and queue empty, as on a new deployment.</summary>
    public async Task<AlertsStorage> ResetAsync()
    {
        var storage = AlertsStorage.FromConnectionString(ConnectionString);
        foreach (var table in TableNames.All)
            await storage.Table(table).DeleteAsync();
        foreach (var queue in QueueNames.All)
        {
            await storage.Queue(queue).DeleteIfExistsAsync();
            await storage.Queue(QueueNames.Poison(queue)).DeleteIfExistsAsync();
        }
        // Blobs too: a subscription-index snapshot left by an earlier test would bring its subscriptions back.
        await storage.Container(Alerts.Core.Matching.SubscriptionSnapshotStore.ContainerName).DeleteIfExistsAsync();
        await storage.EnsureCreatedAsync();
        return storage;
    }

    private static Process StartAzurite(string azurite, int blob, int queue, int table)
    {
        var start = new ProcessStartInfo(azurite)
        {
            ArgumentList =
            {
                "--inMemoryPersistence", "--skipApiVersionCheck", "--silent", "--loose",
                "--blobHost", "127.0.0.1", "--blobPort", blob.ToString(),
                "--queueHost", "127.0.0.1", "--queuePort", queue.ToString(),
                "--tableHost", "127.0.0.1", "--tablePort", table.ToString(),
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("Azurite did not start.");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private Task WaitForPortAsync(int port, TimeSpan timeout) =>
        FreePort.WaitUntilListeningAsync(port, timeout, _process!, () => $"Azurite exited with code {_process!.ExitCode}.");

    public Task DisposeAsync()
    {
        ServerProcess.Stop(_process);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Tests that use storage share one Azurite and the app's fixed table and queue names, so they run one at a time.
/// </summary>
[CollectionDefinition(Name)]
public sealed class StorageCollection : ICollectionFixture<AzuriteFixture>
{
    public const string Name = "storage";
}
