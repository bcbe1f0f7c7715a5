using Alerts.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Timer: claims every due active feed and queues fetches, a host's feeds together in messages of up to
/// <see cref="FeedFetchOptions.FeedsPerMessage"/>, so one worker paces that host. Also purges deleted feeds whose
/// retention has passed.
/// </summary>
public sealed class FeedPollHandler(
    FeedStore feeds,
    ArticleStore articles,
    AlertsStorage storage,
    IOptions<FeedFetchOptions> options,
    TimeProvider time,
    ILogger<FeedPollHandler> logger)
{
    /// <summary>Returns how many feeds were queued for fetching.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var now = time.GetUtcNow();
        var leaseUntil = now + settings.FetchLease;
        var due = new List<StoredFeed>();
        await foreach (var stored in feeds.ListDueStoredAsync(now, cancellationToken))
            due.Add(stored);

        // Claim first (conditional on the listed ETag), then queue: a concurrent tick that lost the race skips; if
        // queueing fails, the feed comes due again when the lease runs out.
        var claimed = new List<Feed>();
        foreach (var chunk in due.Chunk(100))
        {
            if (await feeds.TryClaimAllAsync(chunk, leaseUntil, cancellationToken))
            {
                claimed.AddRange(chunk.Select(s => s.Feed));
                continue;
            }
            foreach (var stored in chunk)
            {
                var won = false;
                await feeds.UpdateAsync(stored.Feed.Id, f =>
                {
                    won = f.Status == FeedStatus.Active && f.NextCheckAt <= now;
                    return won ? f with { NextCheckAt = leaseUntil } : f;
                }, cancellationToken);
                if (won)
                    claimed.Add(stored.Feed);
            }
        }

        var queue = storage.Queue(QueueNames.FeedFetch);
        var messages = 0;
        foreach (var host in claimed.GroupBy(f => f.Host, StringComparer.OrdinalIgnoreCase))
        {
            foreach (var batch in host.Chunk(settings.FeedsPerMessage))
            {
                await queue.SendAsync(new FeedFetchMessage(batch[0].Id, batch.Length > 1 ? batch[1..].Select(f => f.Id).ToList() : null), cancellationToken);
                messages++;
            }
        }

        var purged = await PurgeDeletedAsync(now, settings.DeletedFeedRetention, cancellationToken);
        logger.LogInformation("Poll at {Now}: {Due} feeds due, {Queued} queued in {Messages} messages, {Purged} deleted feeds purged",
            now, due.Count, claimed.Count, messages, purged);
        return claimed.Count;
    }

    private async Task<int> PurgeDeletedAsync(DateTimeOffset now, TimeSpan retention, CancellationToken cancellationToken)
    {
        var purged = 0;
        await foreach (var feed in feeds.ListByStatusAsync(FeedStatus.Deleted, cancellationToken))
        {
            if (feed.DeletedAt is not { } deletedAt || now - deletedAt < retention)
                continue;
            // Articles first: if this dies halfway the feed row is still there and the next tick finishes the job.
            var articleCount = await articles.DeleteByFeedAsync(feed.Id, cancellationToken);
            await feeds.DeleteAsync(feed.Id, cancellationToken);
            logger.LogInformation("Deleted feed {FeedId} {Url} purged with {Articles} articles", feed.Id, feed.Url, articleCount);
            purged++;
        }
        return purged;
    }
}
