using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Azure.Data.Tables;

namespace Alerts.Core.Admin;

/// <summary>
/// How many new items a feed publishes per day, measured from when its items were first seen. Counting what one
/// feed document carries says nothing about rate (a wire feed shows its latest 5 items whether it publishes 5 or 500
/// a day), and dividing every item ever seen by the feed's age counts the first fetch's backlog as if it arrived then.
/// So: items first seen after the first successful fetch (arrivals), over the last <see cref="Window"/> or since
/// that fetch, whichever is shorter; nothing until <see cref="MinimumSpan"/> has passed, since two polls are no rate.
/// </summary>
public sealed class FeedActivity(AlertsStorage storage, TimeProvider time)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);
    public static readonly TimeSpan MinimumSpan = TimeSpan.FromHours(1);

    /// <summary>Items per day by feed id; null for a feed not watched long enough to tell.</summary>
    public async Task<IReadOnlyDictionary<string, double?>> ItemsPerDayAsync(IEnumerable<Feed> feeds, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rates = new System.Collections.Concurrent.ConcurrentDictionary<string, double?>(StringComparer.Ordinal);
        // One partition query per feed, projecting one column, a few at a time: the page stays quick with hundreds of feeds.
        await Parallel.ForEachAsync(feeds, new ParallelOptions { MaxDegreeOfParallelism = 8, CancellationToken = cancellationToken }, async (feed, ct) =>
            rates[feed.Id] = await ItemsPerDayAsync(feed, now, ct));
        return rates;
    }

    private async Task<double?> ItemsPerDayAsync(Feed feed, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (feed.FirstFetchedAt is not { } watchedSince)
            return null;
        var since = watchedSince > now - Window ? watchedSince : now - Window;
        var span = now - since;
        if (span < MinimumSpan)
            return null;
        // Strictly after the first fetch: the backlog it found was first seen at exactly that instant.
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {feed.Id} and FirstSeenAt gt {since}");
        var arrivals = 0;
        await foreach (var _ in storage.Table(TableNames.Articles).QueryAsync<TableEntity>(filter, select: ["FirstSeenAt"], cancellationToken: cancellationToken))
            arrivals++;
        return arrivals / span.TotalDays;
    }
}
