using System.Globalization;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Digests;

/// <summary>
/// Which digest subscriptions fall due when (the Index Table pattern), so that a scheduling tick reads what is due and
/// nothing else. Table <c>DigestDue</c>: PartitionKey = the UTC minute a subscription's next digest is due
/// (<c>yyyyMMddHHmm</c>), RowKey = its id, and no other data (no address: a deleted subscriber leaves at most an id
/// behind, which the scheduler drops when it comes up). Rows already handled move forward to the next due minute, so
/// every row in a partition at or before now is due, and one range query per tick finds them all.
/// <para>
/// The write path (<see cref="SubscriptionStore"/>) does not know the scheduler's clock, so it files a new or changed
/// subscription under <see cref="Unplaced"/>, which sorts before every minute; the next tick places it. The index is a
/// hint, never the truth: the scheduler re-reads each row's subscription, drops rows of subscriptions that are gone,
/// paused or instant, and moves rows whose schedule changed. <see cref="RepairAsync"/> re-files any active digest
/// subscription that lost its row (a write that failed between the two tables).
/// </para>
/// </summary>
public sealed class DigestDueIndex(AlertsStorage storage)
{
    /// <summary>Partition of rows not yet placed at a due minute; sorts before every <c>yyyyMMddHHmm</c>.</summary>
    public const string Unplaced = "000000000000";

    private TableClient Table => storage.Table(TableNames.DigestDue);

    public static string Minute(DateTimeOffset utc) => utc.UtcDateTime.ToString("yyyyMMddHHmm", CultureInfo.InvariantCulture);

    public static bool IsDigest(Subscription s) => s is { Status: SubscriptionStatus.Active, Frequency: not Frequency.Instant };

    /// <summary>Called by the subscription write path before the subscription row is written (see SubscriptionStore).</summary>
    public async Task FileAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        if (IsDigest(subscription))
            await PlaceAsync(subscription.Id, Unplaced, cancellationToken);
    }

    public Task PlaceAsync(string subscriptionId, string partition, CancellationToken cancellationToken = default) =>
        Table.UpsertEntityAsync(new TableEntity(partition, subscriptionId), TableUpdateMode.Replace, cancellationToken);

    public async Task RemoveAsync(string subscriptionId, string partition, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.DeleteEntityAsync(partition, subscriptionId, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Another instance moved it first.
        }
    }

    /// <summary>Rows due at or before <paramref name="utcNow"/>: (partition, subscription id), in one range query.</summary>
    public async Task<IReadOnlyList<(string Partition, string SubscriptionId)>> DueAsync(DateTimeOffset utcNow, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey le {Minute(utcNow)}");
        var rows = new List<(string, string)>();
        await foreach (var row in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
            rows.Add((row.PartitionKey, row.RowKey));
        return rows;
    }

    /// <summary>
    /// The first due time after the period due at <paramref name="dueAt"/>. Probing in steps shorter than any local
    /// day (or hour) cannot jump over a period; landing early would only cost one more move when the row comes up.
    /// </summary>
    public static DateTimeOffset NextDueAt(Subscription subscription, DateTimeOffset dueAt)
    {
        var step = subscription.Frequency == Frequency.Hourly ? TimeSpan.FromHours(1) : TimeSpan.FromHours(12);
        for (var probe = dueAt + step; probe <= dueAt.AddDays(8); probe += step)
            if (DigestSchedule.Current(subscription, probe) is { } period && period.DueAt > dueAt)
                return period.DueAt;
        return dueAt + step;
    }

    /// <summary>
    /// Files every subscription in <paramref name="activeDigestIds"/> (active, not instant) that has no row: the repair
    /// job. It runs with the snapshot writer, which reads every active subscription anyway. Returns how many it filed.
    /// </summary>
    public async Task<int> RepairAsync(IEnumerable<string> activeDigestIds, CancellationToken cancellationToken = default)
    {
        var filed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var row in Table.QueryAsync<TableEntity>(select: ["RowKey"], cancellationToken: cancellationToken))
            filed.Add(row.RowKey);
        var repaired = 0;
        foreach (var id in activeDigestIds)
        {
            if (filed.Contains(id))
                continue;
            await PlaceAsync(id, Unplaced, cancellationToken);
            repaired++;
        }
        return repaired;
    }
}
