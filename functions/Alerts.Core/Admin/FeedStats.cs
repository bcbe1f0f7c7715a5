using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure.Data.Tables;

namespace Alerts.Core.Admin;

/// <summary>Matches per day for one feed or one subscription.</summary>
/// <param name="PerDay">UTC date (yyyy-MM-dd) to matches first recorded that day.</param>
public sealed record MatchCounts(string Id, string Label, int Total, IReadOnlyDictionary<string, int> PerDay);

/// <summary>Value of feeds and noise of queries over the last <c>Days</c> days, newest day last.</summary>
public sealed record ValueStats(DateTimeOffset Since, int Days, IReadOnlyList<string> Dates, IReadOnlyList<MatchCounts> Feeds, IReadOnlyList<MatchCounts> Subscriptions);

/// <summary>
/// Derived from the Matches table (PartitionKey = subscription id, RowKey = article id "feedId_itemKey", MatchedAt),
/// so nothing extra is written on the hot path. One filtered scan, projecting three columns. Feeds that matched
/// nothing are listed with zero, because those are the ones to prune.
/// </summary>
public sealed class FeedStats(AlertsStorage storage, FeedStore feeds, SubscriptionStore subscriptions, TimeProvider time)
{
    public async Task<ValueStats> ComputeAsync(int days, CancellationToken cancellationToken)
    {
        days = Math.Clamp(days, 1, 90);
        var today = time.GetUtcNow().UtcDateTime.Date;
        var since = new DateTimeOffset(today.AddDays(-(days - 1)), TimeSpan.Zero);
        var dates = Enumerable.Range(0, days).Select(d => since.AddDays(d).ToString("yyyy-MM-dd")).ToList();

        var perFeed = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var perSubscription = new Dictionary<string, Dictionary<string, int>>(StringComparer.Ordinal);
        var filter = TableClient.CreateQueryFilter($"MatchedAt ge {since}");
        await foreach (var match in storage.Table(TableNames.Matches).QueryAsync<TableEntity>(
            filter, select: ["PartitionKey", "RowKey", "MatchedAt"], cancellationToken: cancellationToken))
        {
            var day = (match.GetDateTimeOffset("MatchedAt") ?? since).UtcDateTime.ToString("yyyy-MM-dd");
            var separator = match.RowKey.IndexOf('_');
            if (separator > 0)
                Count(perFeed, match.RowKey[..separator], day);
            Count(perSubscription, match.PartitionKey, day);
        }

        var feedRows = new List<MatchCounts>();
        await foreach (var feed in feeds.ListAsync(cancellationToken))
        {
            if (feed.Status == FeedStatus.Deleted && !perFeed.ContainsKey(feed.Id))
                continue;
            feedRows.Add(Row(feed.Id, feed.Title.Length > 0 ? feed.Title : feed.Url, perFeed.GetValueOrDefault(feed.Id)));
        }
        var subscriptionRows = new List<MatchCounts>();
        foreach (var (id, counts) in perSubscription)
        {
            var subscription = await subscriptions.GetAsync(id, cancellationToken);
            subscriptionRows.Add(Row(id, subscription?.Query ?? "(deleted subscription)", counts));
        }
        return new ValueStats(since, days, dates,
            feedRows.OrderByDescending(r => r.Total).ThenBy(r => r.Label, StringComparer.OrdinalIgnoreCase).ToList(),
            subscriptionRows.OrderByDescending(r => r.Total).ToList());
    }

    private static void Count(Dictionary<string, Dictionary<string, int>> table, string key, string day)
    {
        if (!table.TryGetValue(key, out var days))
            table[key] = days = new Dictionary<string, int>(StringComparer.Ordinal);
        days[day] = days.GetValueOrDefault(day) + 1;
    }

    private static MatchCounts Row(string id, string label, Dictionary<string, int>? days) =>
        new(id, label, days?.Values.Sum() ?? 0, days ?? new Dictionary<string, int>());
}
