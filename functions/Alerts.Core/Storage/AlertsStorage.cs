using Azure.Core;
using Azure.Data.Tables;
using Azure.Identity;
using Azure.Storage.Blobs;
using Azure.Storage.Queues;
using Microsoft.Extensions.Configuration;

namespace Alerts.Core.Storage;

/// <summary>
/// The app's Table, Queue and Blob clients for one storage account: a connection string locally (Azurite),
/// the managed identity in Azure. Queue clients always use Base64 so that the Functions queue trigger can read them.
/// </summary>
public sealed class AlertsStorage
{
    private readonly TableServiceClient _tables;
    private readonly QueueServiceClient _queues;
    private readonly BlobServiceClient _blobs;

    public AlertsStorage(TableServiceClient tables, QueueServiceClient queues, BlobServiceClient blobs)
    {
        _tables = tables;
        _queues = queues;
        _blobs = blobs;
    }

    public static QueueClientOptions QueueOptions() => new() { MessageEncoding = QueueMessageEncoding.Base64 };

    /// <param name="counter">Optional: counts every storage transaction these clients make (benchmarks).</param>
    public static AlertsStorage FromConnectionString(string connectionString, StorageTransactionCounter? counter = null)
    {
        var tableOptions = new TableClientOptions();
        var queueOptions = QueueOptions();
        var blobOptions = new BlobClientOptions();
        if (counter is not null)
        {
            // Per retry: every attempt is a billed transaction.
            tableOptions.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerRetry);
            queueOptions.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerRetry);
            blobOptions.AddPolicy(counter, Azure.Core.HttpPipelinePosition.PerRetry);
        }
        var tables = new TableServiceClient(connectionString, tableOptions);
        var queues = new QueueServiceClient(connectionString, queueOptions);
        var blobs = new BlobServiceClient(connectionString, blobOptions);
        StorageTransactionCounter.ServiceByPort[tables.Uri.Port] = "table";
        StorageTransactionCounter.ServiceByPort[queues.Uri.Port] = "queue";
        StorageTransactionCounter.ServiceByPort[blobs.Uri.Port] = "blob";
        return new AlertsStorage(tables, queues, blobs);
    }

    /// <summary>
    /// Reads the same connection the Functions host uses for its triggers (<c>AzureWebJobsStorage</c>):
    /// either a connection string, or identity-based <c>__accountName</c>/<c>__*ServiceUri</c> plus <c>__clientId</c>.
    /// </summary>
    public static AlertsStorage FromConfiguration(IConfiguration configuration, string connectionName = "AzureWebJobsStorage")
    {
        var connectionString = configuration[connectionName];
        if (!string.IsNullOrWhiteSpace(connectionString))
            return FromConnectionString(connectionString);

        var section = configuration.GetSection(connectionName);
        var account = section["accountName"];
        Uri ServiceUri(string key, string kind) =>
            section[key] is { Length: > 0 } uri ? new Uri(uri)
            : account is { Length: > 0 } ? new Uri($"https://{account}.{kind}.core.windows.net")
            : throw new InvalidOperationException(
                $"Storage is not configured: set '{connectionName}' to a connection string, or '{connectionName}__accountName'.");

        TokenCredential credential = section["clientId"] is { Length: > 0 } clientId
            ? new ManagedIdentityCredential(ManagedIdentityId.FromUserAssignedClientId(clientId))
            : new DefaultAzureCredential();
        return new AlertsStorage(
            new TableServiceClient(ServiceUri("tableServiceUri", "table"), credential),
            new QueueServiceClient(ServiceUri("queueServiceUri", "queue"), credential, QueueOptions()),
            new BlobServiceClient(ServiceUri("blobServiceUri", "blob"), credential));
    }

    public TableClient Table(string name) => _tables.GetTableClient(name);

    public QueueClient Queue(string name) => _queues.GetQueueClient(name);

    public BlobContainerClient Container(string name) => _blobs.GetBlobContainerClient(name);

    /// <summary>Approximate messages waiting in every pipeline queue and its poison queue, by queue name.</summary>
    public async Task<IReadOnlyDictionary<string, int>> QueueDepthsAsync(CancellationToken cancellationToken = default)
    {
        var depths = new Dictionary<string, int>();
        foreach (var name in QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) }))
            depths[name] = (await Queue(name).GetPropertiesAsync(cancellationToken)).Value.ApproximateMessagesCount;
        return depths;
    }

    /// <summary>Creates every table and queue (and poison queue) if missing. Idempotent; run at startup.</summary>
    public async Task EnsureCreatedAsync(CancellationToken cancellationToken = default)
    {
        foreach (var table in TableNames.All)
            await Table(table).CreateIfNotExistsAsync(cancellationToken);
        foreach (var queue in QueueNames.All)
        {
            await Queue(queue).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
            await Queue(QueueNames.Poison(queue)).CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        }
    }
}
