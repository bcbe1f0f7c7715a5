using Alerts.Core.Storage;
using Azure.Data.Tables;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// Which subscriptions changed when: one row per write, partitioned by UTC minute, so that a matcher instance reads
/// only the last minutes' partitions to bring its index up to date instead of every subscription row.
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
}
