using Alerts.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>Timer: queues a fetch for every active feed that is due.</summary>
public sealed class FeedPollHandler(
    FeedStore feeds,
    AlertsStorage storage,
    IOptions<FeedFetchOptions> options,
    TimeProvider time,
    ILogger<FeedPollHandler> logger)
{
    /// <summary>Returns how many fetches were queued.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var leaseUntil = now + options.Value.FetchLease;
        var queue = storage.Queue(QueueNames.FeedFetch);
        var due = new List<Feed>();
        await foreach (var feed in feeds.ListDueAsync(now, cancellationToken))
            due.Add(feed);

        var queued = 0;
        foreach (var feed in due)
        {
            // Claim first (conditional update), then queue: a concurrent tick that lost the race sees the lease and
            // skips; if queueing fails, the feed simply comes due again when the lease runs out.
            var claimed = false;
            await feeds.UpdateAsync(feed.Id, f =>
            {
                claimed = f.Status == FeedStatus.Active && f.NextCheckAt <= now;
                return claimed ? f with { NextCheckAt = leaseUntil } : f;
            }, cancellationToken);
            if (!claimed)
                continue;

            await queue.SendAsync(new FeedFetchMessage(feed.Id), cancellationToken);
            queued++;
        }

        logger.LogInformation("Poll at {Now}: {Due} feeds due, {Queued} fetches queued", now, due.Count, queued);
        return queued;
    }
}
