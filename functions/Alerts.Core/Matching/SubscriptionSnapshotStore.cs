using System.IO.Compression;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;

namespace Alerts.Core.Matching;

/// <summary>
/// What matching needs of one active subscription, and nothing more: no address, no schedule. An email is built from
/// the subscription row, read when there is a match; a deleted subscriber's address is never in a snapshot.
/// </summary>
public sealed record SnapshotEntry(string Id, string Query, Frequency Frequency, IReadOnlyList<string>? Sites, DateTimeOffset? CreatedAt = null);

/// <summary>The first line of a snapshot: as of when it holds every active subscription.</summary>
public sealed record SnapshotHeader(DateTimeOffset Version);

/// <summary>
/// The snapshot as one gzipped JSON-lines blob in the <c>index-snapshots</c> container: a header line, then one entry
/// per line, so that writing and loading stream (a million subscriptions are never all in memory as objects).
/// Only <see cref="SubscriptionSnapshotWriter"/> writes it.
/// </summary>
public sealed class SubscriptionSnapshotStore(AlertsStorage storage)
{
    public const string ContainerName = "index-snapshots";
    private const string BlobName = "subscriptions.jsonl.gz";

    /// <summary>Writes the snapshot; readers see the old blob until the upload commits.</summary>
    public async Task SaveAsync(DateTimeOffset version, IAsyncEnumerable<SnapshotEntry> entries, CancellationToken cancellationToken = default)
    {
        var container = storage.Container(ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        // Streamed to a temporary file, then uploaded in one piece: memory stays flat however many subscriptions there are.
        var temp = Path.GetTempFileName();
        try
        {
            await using (var file = File.Create(temp))
            await using (var gzip = new GZipStream(file, CompressionLevel.Fastest))
            await using (var body = new StreamWriter(gzip, new UTF8Encoding(false)))
            {
                await body.WriteLineAsync(JsonSerializer.Serialize(new SnapshotHeader(version), QueueMessages.Json));
                await foreach (var entry in entries.WithCancellation(cancellationToken))
                    await body.WriteLineAsync(JsonSerializer.Serialize(entry, QueueMessages.Json));
            }
            await using var upload = File.OpenRead(temp);
            await container.GetBlobClient(BlobName).UploadAsync(upload, overwrite: true, cancellationToken);
        }
        finally
        {
            File.Delete(temp);
        }
    }

    /// <summary>The snapshot's ETag without downloading it (one transaction); null when there is none.</summary>
    public async Task<ETag?> CurrentETagAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            return (await storage.Container(ContainerName).GetBlobClient(BlobName).GetPropertiesAsync(cancellationToken: cancellationToken)).Value.ETag;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }

    /// <summary>Opens the snapshot for streaming; null when there is none or it was written by another format.</summary>
    public async Task<SnapshotReader?> OpenAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var download = await storage.Container(ContainerName).GetBlobClient(BlobName).DownloadStreamingAsync(cancellationToken: cancellationToken);
            var reader = new StreamReader(new GZipStream(download.Value.Content, CompressionMode.Decompress), Encoding.UTF8);
            try
            {
                var header = await reader.ReadLineAsync(cancellationToken) is { } line ? JsonSerializer.Deserialize<SnapshotHeader>(line, QueueMessages.Json) : null;
                if (header is null)
                {
                    reader.Dispose();
                    return null;
                }
                return new SnapshotReader(header, download.Value.Details.ETag, reader);
            }
            catch (Exception ex) when (ex is JsonException or InvalidDataException)
            {
                // A snapshot written by another version of the app: the loader asks the writer for a new one.
                reader.Dispose();
                return null;
            }
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return null;
        }
    }
}

/// <summary>One open snapshot: its header, then its entries, read once.</summary>
public sealed class SnapshotReader(SnapshotHeader header, ETag etag, StreamReader reader) : IDisposable
{
    public SnapshotHeader Header => header;

    public ETag ETag => etag;

    public async IAsyncEnumerable<SnapshotEntry> EntriesAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        while (await reader.ReadLineAsync(cancellationToken) is { } line)
            if (line.Length > 0 && JsonSerializer.Deserialize<SnapshotEntry>(line, QueueMessages.Json) is { } entry)
                yield return entry;
    }

    public void Dispose() => reader.Dispose();
}
