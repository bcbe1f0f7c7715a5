using Alerts.Core.Storage;
using Azure.Data.Tables;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// Which subscriptions changed when: one row per write, partitioned by UTC minute, so that a matcher instance reads
/// only the last minutes' partitions to bring its index up to date instead of every subscription row. A row holds the
/// subscription id and nothing else (no address), and rows older than the retention are deleted by the snapshot writer
/// (<see cref="DeleteOlderThanAsync"/>): a loader needs the log only back to the snapshot it starts from.
/// </summary>
public sealed class SubscriptionChangeLog(AlertsStorage storage)
{
    private TableClient Table => storage.Table(TableNames.SubscriptionChanges);

    public static string Bucket(DateTimeOffset time) => time.UtcDateTime.ToString("yyyyMMddHHmm", System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Recorded before the subscription row is written: a reader that sees the change re-reads the row.</summary>
    public Task RecordAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var now = DateTimeOffset.UtcNow;
        return Table.UpsertEntityAsync(
            new TableEntity(Bucket(now), $"{now.UtcTicks:D19}-{subscriptionId}") { ["SubscriptionId"] = subscriptionId },
            TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>Ids of subscriptions changed in the minute of <paramref name="since"/> or later (may repeat).</summary>
    public async Task<IReadOnlySet<string>> ChangedSinceAsync(DateTimeOffset since, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey ge {Bucket(since)}");
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["SubscriptionId"], cancellationToken: cancellationToken))
            if (row.GetString("SubscriptionId") is { } id)
                ids.Add(id);
        return ids;
    }

    /// <summary>Deletes every row logged before <paramref name="cutoff"/>'s minute, a partition at a time in batches of 100.</summary>
    public async Task<int> DeleteOlderThanAsync(DateTimeOffset cutoff, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey lt {Bucket(cutoff)}");
        var byPartition = new Dictionary<string, List<TableTransactionAction>>(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            if (!byPartition.TryGetValue(row.PartitionKey, out var batch))
                byPartition[row.PartitionKey] = batch = [];
            batch.Add(new TableTransactionAction(TableTransactionActionType.Delete, row, Azure.ETag.All));
        }
        var deleted = 0;
        foreach (var batch in byPartition.Values)
            foreach (var chunk in batch.Chunk(100))
            {
                await Table.SubmitTransactionAsync(chunk, cancellationToken);
                deleted += chunk.Length;
            }
        return deleted;
    }
}
