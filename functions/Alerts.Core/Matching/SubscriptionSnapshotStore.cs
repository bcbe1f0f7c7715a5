using System.IO.Compression;
using System.Text.Json;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;

namespace Alerts.Core.Matching;

/// <summary>Every active subscription as of <see cref="Version"/>: what a new instance loads instead of the whole table.</summary>
public sealed record SubscriptionSnapshot(DateTimeOffset Version, IReadOnlyList<Subscription> Subscriptions);

/// <summary>The snapshot as one gzipped JSON blob in the <c>index-snapshots</c> container.</summary>
public sealed class SubscriptionSnapshotStore(AlertsStorage storage)
{
    public const string ContainerName = "index-snapshots";
    private const string BlobName = "subscriptions.json.gz";

    public async Task SaveAsync(SubscriptionSnapshot snapshot, CancellationToken cancellationToken = default)
    {
        var container = storage.Container(ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        using var buffer = new MemoryStream();
        await using (var gzip = new GZipStream(buffer, CompressionLevel.Fastest, leaveOpen: true))
            await JsonSerializer.SerializeAsync(gzip, snapshot, QueueMessages.Json, cancellationToken);
        buffer.Position = 0;
        await container.GetBlobClient(BlobName).UploadAsync(buffer, overwrite: true, cancellationToken);
    }

    public async Task<SubscriptionSnapshot?> LoadAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var download = await storage.Container(ContainerName).GetBlobClient(BlobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
            await using var gzip = new GZipStream(download.Value.Content, CompressionMode.Decompress);
            return await JsonSerializer.DeserializeAsync<SubscriptionSnapshot>(gzip, QueueMessages.Json, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
        catch (Exception ex) when (ex is JsonException or InvalidDataException)
        {
            // A snapshot written by another version of the app: rebuild from the table rather than fail matching.
            return null;
        }
    }
}
