using System.Security.Cryptography;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Queue <c>feed-fetch</c>: fetches one feed, stores its new articles and queues them for matching.
/// Feed faults (HTTP errors, timeouts, junk) are recorded on the feed and never thrown, so the message is not
/// retried into the poison queue; storage faults are thrown, so the host retries the message.
/// </summary>
public sealed class FeedFetchHandler(
    FeedStore feeds,
    ArticleStore articles,
    FeedFetcher fetcher,
    FeedParser parser,
    AlertsStorage storage,
    IOptions<FeedFetchOptions> options,
    TimeProvider time,
    ILogger<FeedFetchHandler> logger)
{
    public async Task HandleAsync(FeedFetchMessage message, CancellationToken cancellationToken)
    {
        var feed = await feeds.GetAsync(message.FeedId, cancellationToken);
        if (feed is null)
        {
            logger.LogInformation("Feed {FeedId} no longer exists; fetch skipped", message.FeedId);
            return;
        }
        if (feed.Status != FeedStatus.Active)
        {
            logger.LogInformation("Feed {FeedId} {Url} is {FeedStatus}; fetch skipped", feed.Id, feed.Url, feed.Status);
            return;
        }

        var now = time.GetUtcNow();
        var result = await fetcher.FetchAsync(feed, cancellationToken);
        AlertsTelemetry.FeedsPolled.Add(1);
        var elapsedMs = (int)result.Elapsed.TotalMilliseconds;

        switch (result)
        {
            case FeedFetchResult.NotModified notModified:
                AlertsTelemetry.FeedsNotModified.Add(1);
                logger.LogInformation("Feed {FeedId} {Url} not modified: {Status} in {Elapsed} ms", feed.Id, feed.Url, 304, elapsedMs);
                await feeds.UpdateAsync(feed.Id, f => Unchanged(f, now, 304, notModified.ETag, notModified.LastModified, elapsedMs) with
                {
                    BytesSavedBy304 = f.BytesSavedBy304 + f.LastBodyBytes,
                }, cancellationToken);
                return;

            case FeedFetchResult.Fetched fetched:
                await StoreAsync(feed, fetched, now, elapsedMs, cancellationToken);
                return;

            case FeedFetchResult.Failed failed:
                await RecordFailureAsync(feed, failed.Kind, failed.Status, failed.Message, failed.RetryAfter, now, elapsedMs, cancellationToken);
                return;
        }
    }

    private async Task StoreAsync(Feed feed, FeedFetchResult.Fetched fetched, DateTimeOffset now, int elapsedMs, CancellationToken cancellationToken)
    {
        var hash = Convert.ToHexStringLower(SHA256.HashData(fetched.Body));
        if (hash == feed.ContentHash)
        {
            // The server ignored or changed its validators but the bytes are identical: nothing to parse.
            AlertsTelemetry.FeedsNotModified.Add(1);
            logger.LogInformation("Feed {FeedId} {Url} unchanged by content hash: {Status} in {Elapsed} ms",
                feed.Id, feed.Url, fetched.Status, elapsedMs);
            await feeds.UpdateAsync(feed.Id, f => Unchanged(f, now, fetched.Status, fetched.ETag, fetched.LastModified, elapsedMs), cancellationToken);
            return;
        }

        if (!parser.TryParse(fetched.Body, options.Value.MaxItemsPerFetch, out var parsed, out var parseError))
        {
            await RecordFailureAsync(feed, FeedErrorKind.NotAFeed, fetched.Status, parseError, null, now, elapsedMs, cancellationToken);
            return;
        }

        var feedTitle = parsed.Title.Length > 0 ? parsed.Title : feed.Title.Length > 0 ? feed.Title : feed.Site;
        var site = (feed with { SiteUrl = parsed.SiteUrl.Length > 0 ? parsed.SiteUrl : feed.SiteUrl }).Site;
        var matchQueue = storage.Queue(QueueNames.ArticleMatch);
        int added = 0, requeued = 0;
        var keys = new HashSet<string>(StringComparer.Ordinal);

        foreach (var item in parsed.Items)
        {
            var itemKey = TableKeys.Hash(item.Guid ?? item.Link ?? item.Title + "\n" + item.Summary + "\n" + item.PublishedAt?.ToString("O"));
            if (!keys.Add(itemKey))
                continue; // the same item twice in one document
            var article = new Article(
                feed.Id, itemKey, item.Title, item.Link ?? "", item.Summary, item.Content,
                item.PublishedAt ?? now, FirstSeenAt: now, feedTitle, site);

            if (await articles.TryAddAsync(article, cancellationToken))
            {
                await matchQueue.SendAsync(new ArticleMatchMessage(article.Id), cancellationToken);
                added++;
                continue;
            }

            // Already stored. If a previous run stored it but died before recording its success, that run may not
            // have queued it for matching: queue it again (matching is idempotent, a duplicate is harmless).
            var existing = await articles.GetAsync(article.Id, cancellationToken);
            if (existing is not null && (feed.LastSuccessAt is not { } lastSuccess || existing.FirstSeenAt > lastSuccess))
            {
                await matchQueue.SendAsync(new ArticleMatchMessage(article.Id), cancellationToken);
                requeued++;
            }
        }

        AlertsTelemetry.NewArticles.Add(added);
        logger.LogInformation(
            "Feed {FeedId} {Url} fetched: {Status} in {Elapsed} ms, {Bytes} bytes, {Items} items, {New} new, {Requeued} requeued",
            feed.Id, feed.Url, fetched.Status, elapsedMs, fetched.Body.Length, parsed.Items.Count, added, requeued);

        // Written last: until this succeeds a redelivered message redoes the work above, which is safe.
        await feeds.UpdateAsync(feed.Id, f => f with
        {
            Title = f.Title.Length > 0 ? f.Title : parsed.Title,
            SiteUrl = parsed.SiteUrl.Length > 0 ? parsed.SiteUrl : f.SiteUrl,
            ETag = fetched.ETag,
            LastModified = fetched.LastModified,
            ContentHash = hash,
            LastBodyBytes = fetched.Body.Length,
            LastCheckedAt = now,
            LastSuccessAt = now,
            LastHttpStatus = fetched.Status,
            LastError = null,
            LastErrorKind = null,
            ConsecutiveFailures = 0,
            NextCheckAt = now + f.PollInterval,
            // Requeued articles were stored by a run that never got to count them.
            LastNewItemAt = added + requeued > 0 ? now : f.LastNewItemAt,
            ItemsSeen = f.ItemsSeen + added + requeued,
            LastResponseMs = elapsedMs,
        }, cancellationToken);
    }

    private static Feed Unchanged(Feed f, DateTimeOffset now, int status, string? etag, DateTimeOffset? lastModified, int elapsedMs) => f with
    {
        ETag = etag ?? f.ETag,
        LastModified = lastModified ?? f.LastModified,
        LastCheckedAt = now,
        LastSuccessAt = now,
        LastHttpStatus = status,
        LastError = null,
        LastErrorKind = null,
        ConsecutiveFailures = 0,
        NextCheckAt = now + f.PollInterval,
        LastResponseMs = elapsedMs,
    };

    private async Task RecordFailureAsync(
        Feed feed, FeedErrorKind kind, int? status, string error, TimeSpan? retryAfter, DateTimeOffset now, int elapsedMs,
        CancellationToken cancellationToken)
    {
        AlertsTelemetry.FetchErrors.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
        var jitter = Random.Shared.NextDouble() * 2 - 1;
        var gone = kind == FeedErrorKind.Http && status == 410;
        var updated = await feeds.UpdateAsync(feed.Id, f =>
        {
            var failures = f.ConsecutiveFailures + 1;
            return f with
            {
                LastCheckedAt = now,
                LastHttpStatus = status,
                LastError = error,
                LastErrorKind = kind,
                ConsecutiveFailures = failures,
                NextCheckAt = now + FeedBackoff.Delay(f.PollInterval, failures, options.Value.MaxBackoff, jitter, retryAfter),
                LastResponseMs = elapsedMs,
                // 410 is the publisher saying the feed is gone for good: stop polling until someone re-enables it.
                Status = gone ? FeedStatus.Disabled : f.Status,
                DisabledReason = gone ? "HTTP 410 Gone" : f.DisabledReason,
            };
        }, cancellationToken);

        logger.LogWarning(
            "Feed {FeedId} {Url} failed: {ErrorKind} {Status} in {Elapsed} ms, {Failures} consecutive, next check {NextCheckAt}: {Error}",
            feed.Id, feed.Url, kind, status, elapsedMs, updated?.ConsecutiveFailures, updated?.NextCheckAt, error);
    }
}
