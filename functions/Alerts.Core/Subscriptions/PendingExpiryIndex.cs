using System.Globalization;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// Unconfirmed subscriptions by the UTC minute they were created (the Index Table pattern, like
/// <see cref="Digests.DigestDueIndex"/>), so that expiring them reads only the rows old enough to go and never scans every
/// subscription. Table <c>PendingExpiry</c>: PartitionKey = creation minute (<c>yyyyMMddHHmm</c>), RowKey = subscription
/// id, no other data (no address). Filed by the subscription write path before the row, so a crash between the two
/// leaves at most a row whose subscription is missing or already confirmed; the sweep drops those.
/// Keyed by creation time rather than expiry time so that changing <c>Tokens__ConfirmationLifetime</c> applies to
/// subscriptions already waiting.
/// </summary>
public sealed class PendingExpiryIndex(AlertsStorage storage)
{
    private TableClient Table => storage.Table(TableNames.PendingExpiry);

    public static string Minute(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    /// <summary>Called by the subscription write path before the subscription row is written (see SubscriptionStore).</summary>
    public async Task FileAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        if (subscription.Status == SubscriptionStatus.Pending)
            await Table.UpsertEntityAsync(new TableEntity(Minute(subscription.CreatedAt), subscription.Id), TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>
    /// Deletes every subscription still pending that was created before <paramref name="cutoff"/> (through the store's
    /// delete, which also removes its address-index row and logs the change), and the index rows of that range.
    /// One range query over the minutes before the cutoff. Returns how many subscriptions it deleted.
    /// </summary>
    public async Task<int> ExpireAsync(SubscriptionStore store, DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        // Minutes strictly before the cutoff's minute hold only subscriptions older than the cutoff; the cutoff's own
        // minute waits for the next run, which costs at most one interval more.
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {Minute(cutoff)}");
        var rows = new List<(string Partition, string Id)>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            rows.Add((row.PartitionKey, row.RowKey));
        var deleted = 0;
        foreach (var (partition, id) in rows)
        {
            // The index is a hint: re-read the subscription, which may have been confirmed or deleted meanwhile.
            if (await store.GetAsync(id, cancellationToken) is { Status: SubscriptionStatus.Pending } pending && pending.CreatedAt < cutoff)
            {
                await store.DeleteAsync(pending, cancellationToken);
                deleted++;
            }
            // Removed after the subscription, so a crash in between leaves the row for the next run to finish.
            try
            {
                await Table.DeleteEntityAsync(partition, id, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Another run removed it first.
            }
        }
        return deleted;
    }
}
