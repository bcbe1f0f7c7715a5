using System.Runtime.CompilerServices;
using Alerts.Core.Digests;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;
using Azure.Storage.Blobs.Specialized;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Matching;

/// <summary>
/// The one writer of the subscription snapshot (timer <c>WriteIndexSnapshot</c>): reads every active subscription once,
/// writes the snapshot the matchers load, re-files digest subscriptions missing from the due index, deletes
/// change-log rows past their retention, and deletes unconfirmed subscriptions older than the confirmation lifetime
/// (their confirm link has expired, so nobody can ever confirm them). Matchers never read the table themselves.
/// <para>
/// One writer across instances and hosts: the Functions host already runs a timer on one instance at a time, but the
/// local host (and a second deployment slot or app on the same storage) does not, so the writer also holds a blob lease
/// on <c>writer.lock</c> while it works. Whoever finds the lease taken, or a snapshot written within half an interval,
/// leaves it alone.
/// </para>
/// </summary>
public sealed class SubscriptionSnapshotWriter(
    AlertsStorage storage,
    SubscriptionStore subscriptions,
    SubscriptionSnapshotStore snapshots,
    SubscriptionChangeLog changes,
    IOptions<MatchingOptions> options,
    IOptions<TokenOptions> tokens,
    ILogger<SubscriptionSnapshotWriter> logger)
{
    private const string LockBlobName = "writer.lock";
    private static readonly TimeSpan LeaseDuration = TimeSpan.FromSeconds(60);

    /// <summary>Counts snapshots this process wrote (the multi-instance test reads it through the logs and the blob).</summary>
    public int Written { get; private set; }

    /// <summary>True when this call wrote a snapshot; false when another writer holds the lease or just wrote one.</summary>
    public async Task<bool> WriteAsync(bool force = false, CancellationToken cancellationToken = default)
    {
        var container = storage.Container(SubscriptionSnapshotStore.ContainerName);
        await container.CreateIfNotExistsAsync(cancellationToken: cancellationToken);
        var lockBlob = container.GetBlobClient(LockBlobName);
        if (!await lockBlob.ExistsAsync(cancellationToken))
        {
            try
            {
                await lockBlob.UploadAsync(BinaryData.FromString(""), overwrite: false, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Created (and perhaps leased) by another writer at the same moment.
            }
        }
        var lease = lockBlob.GetBlobLeaseClient();
        try
        {
            await lease.AcquireAsync(LeaseDuration, cancellationToken: cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 409)
        {
            logger.LogInformation("Another instance is writing the subscription snapshot; skipped");
            return false;
        }

        using var renew = new CancellationTokenSource();
        var renewing = RenewAsync(lease, renew.Token);
        try
        {
            var version = DateTimeOffset.UtcNow;
            if (!force && await snapshots.OpenAsync(cancellationToken) is { } existing)
            {
                using (existing)
                    if (version - existing.Header.Version < options.Value.SnapshotInterval / 2)
                    {
                        logger.LogInformation("The subscription snapshot of {Version:o} is recent; skipped", existing.Header.Version);
                        return false;
                    }
            }

            // Written before the table is read, so the log since `version` covers every change the read might miss.
            var activeDigestIds = new List<string>();
            var count = 0;
            await snapshots.SaveAsync(version, EntriesAsync(activeDigestIds, () => count++, cancellationToken), cancellationToken);
            Written++;
            var refiled = await new DigestDueIndex(storage).RepairAsync(activeDigestIds, cancellationToken);
            var expired = await changes.DeleteOlderThanAsync(version - options.Value.ChangeLogRetention, cancellationToken);
            await BuildAddressIndexOnceAsync(container, cancellationToken);
            var unconfirmed = await new PendingExpiryIndex(storage).ExpireAsync(subscriptions, version - tokens.Value.ConfirmationLifetime, cancellationToken);
            logger.LogInformation(
                "Subscription snapshot of {Version:o} written: {Count} active; {Refiled} re-filed in the due index; {Expired} change-log rows expired; {Unconfirmed} unconfirmed subscriptions expired",
                version, count, refiled, expired, unconfirmed);
            return true;
        }
        finally
        {
            await renew.CancelAsync();
            await renewing;
            try
            {
                await lease.ReleaseAsync(cancellationToken: CancellationToken.None);
            }
            catch (RequestFailedException ex)
            {
                // The lease lapses by itself within LeaseDuration.
                logger.LogWarning("Releasing the snapshot writer lease failed: {Error}", ex.Message);
            }
        }
    }

    /// <summary>
    /// Subscriptions stored before the index by address existed are invisible to subscribe and manage pages until
    /// it holds them: the first writer after such a deployment rebuilds it (one pass over the table, under this
    /// lease), then leaves a marker so later runs cost one blob read. A crash before the marker just rebuilds again.
    /// </summary>
    private async Task BuildAddressIndexOnceAsync(Azure.Storage.Blobs.BlobContainerClient container, CancellationToken cancellationToken)
    {
        var marker = container.GetBlobClient(AddressIndexMarkerName);
        if (await marker.ExistsAsync(cancellationToken))
            return;
        var (indexed, removed) = await subscriptions.RebuildAddressIndexAsync(cancellationToken);
        await marker.UploadAsync(BinaryData.FromString(DateTimeOffset.UtcNow.ToString("o")), overwrite: true, cancellationToken);
        logger.LogInformation("Index by address built: {Indexed} subscriptions indexed, {Removed} stale rows removed", indexed, removed);
    }

    /// <summary>Present once the index by address holds every subscription (see BuildAddressIndexOnceAsync).</summary>
    public const string AddressIndexMarkerName = "address-index.built";

    private async IAsyncEnumerable<SnapshotEntry> EntriesAsync(List<string> activeDigestIds, Action counted,
        [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await foreach (var s in subscriptions.ListAsync(SubscriptionStatus.Active, cancellationToken))
        {
            // The due-index repair needs only the ids; the address stays out of the snapshot.
            if (DigestDueIndex.IsDigest(s))
                activeDigestIds.Add(s.Id);
            counted();
            yield return new SnapshotEntry(s.Id, s.Query, s.Frequency, s.Sites, s.CreatedAt);
        }
    }

    private static async Task RenewAsync(BlobLeaseClient lease, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(LeaseDuration / 3, cancellationToken);
                await lease.RenewAsync(cancellationToken: cancellationToken);
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
