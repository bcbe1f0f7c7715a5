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
    ArticleFullText fullText,
    FeedHealthAlerts health,
    AlertsStorage storage,
    IOptions<FeedFetchOptions> options,
    TimeProvider time,
    ILogger<FeedFetchHandler> logger)
{
    /// <summary>Fetches every feed in the message at once; the per-host throttle paces them.</summary>
    public async Task HandleAsync(FeedFetchMessage message, CancellationToken cancellationToken)
    {
        var ids = message.FeedIds.Distinct(StringComparer.Ordinal).ToList();
        // One read for the whole message rather than one per feed.
        var stored = ids.Count == 1
            ? (await feeds.GetStoredAsync(ids[0], cancellationToken) is { } single ? [single] : [])
            : await feeds.GetManyStoredAsync(ids, cancellationToken);
        foreach (var missing in ids.Except(stored.Select(s => s.Feed.Id), StringComparer.Ordinal))
            logger.LogInformation("Feed {FeedId} no longer exists; fetch skipped", missing);
        await Task.WhenAll(stored.Select(s => FetchOneAsync(s, message.UnlessCheckedSince, cancellationToken)));
    }

    private async Task FetchOneAsync(StoredFeed stored, DateTimeOffset? unlessCheckedSince, CancellationToken cancellationToken)
    {
        var feed = stored.Feed;
        if (feed.Status != FeedStatus.Active)
        {
            logger.LogInformation("Feed {FeedId} {Url} is {FeedStatus}; fetch skipped", feed.Id, feed.Url, feed.Status);
            return;
        }
        if (unlessCheckedSince is { } since && feed.LastCheckedAt >= since)
        {
            logger.LogInformation("Feed {FeedId} {Url} was checked at {LastCheckedAt}; fetch skipped", feed.Id, feed.Url, feed.LastCheckedAt);
            return;
        }

        try
        {
            var result = await fetcher.FetchAsync(feed, cancellationToken);
            await ApplyAsync(stored, result, cancellationToken);
        }
        catch (HostBusyException busy)
        {
            // Other instances kept every slot for this host (or a page of it), or a redirect hop found its target's
            // slots taken for a whole timeout: the feed waits its turn rather than failing. Queued again on its own,
            // hidden for a while; nothing about the feed is recorded, so it is neither backed off nor counted as broken. Articles a full-text wait interrupted are stored and found again then.
            await storage.Queue(QueueNames.FeedFetch).SendHiddenAsync(new FeedFetchMessage(feed.Id), busy.RetryAfter, cancellationToken);
            logger.LogInformation("Feed {FeedId} {Url}: host {Host} busy; fetch queued again in {RetryAfter}",
                feed.Id, feed.Url, busy.Host, busy.RetryAfter);
        }
    }

    /// <summary>
    /// Records one fetch result on the feed: stores new articles, moves the URL on a permanent redirect, schedules
    /// the next check. Adding a feed calls this with the response it already has, so adding never fetches twice.
    /// </summary>
    public async Task ApplyAsync(StoredFeed stored, FeedFetchResult result, CancellationToken cancellationToken)
    {
        var feed = stored.Feed;
        var now = time.GetUtcNow();
        AlertsTelemetry.FeedsPolled.Add(1);
        var elapsedMs = (int)result.Elapsed.TotalMilliseconds;
        if (result.MovedTo is { } movedTo)
            logger.LogInformation("Feed {FeedId} moved permanently from {Url} to {NewUrl}", feed.Id, feed.Url, movedTo);

        switch (result)
        {
            case FeedFetchResult.NotModified notModified:
                AlertsTelemetry.FeedsNotModified.Add(1);
                logger.LogInformation("Feed {FeedId} {Url} not modified: {Status} in {Elapsed} ms", feed.Id, feed.Url, 304, elapsedMs);
                await SucceedAsync(stored, f => Unchanged(f, now, 304, notModified.ETag, notModified.LastModified, elapsedMs, result) with
                {
                    BytesSavedBy304 = f.BytesSavedBy304 + f.LastBodyBytes,
                }, cancellationToken);
                return;

            case FeedFetchResult.Fetched fetched:
                await StoreAsync(stored, fetched, now, elapsedMs, cancellationToken);
                return;

            case FeedFetchResult.Failed failed:
                await RecordFailureAsync(stored, failed.Kind, failed.Status, failed.Message, failed.RetryAfter, now, elapsedMs, cancellationToken);
                return;
        }
    }

    /// <summary>Writes a success and, when it ends a run of failures admins were told about, sends the recovery email.</summary>
    private async Task SucceedAsync(StoredFeed stored, Func<Feed, Feed> mutate, CancellationToken cancellationToken)
    {
        var updated = await feeds.UpdateAsync(stored.Feed.Id, f => mutate(f) with { FailingSince = null }, cancellationToken, stored);
        if (updated is not null)
            await health.AfterRecoveryAsync(updated, cancellationToken);
    }

    private async Task StoreAsync(StoredFeed stored, FeedFetchResult.Fetched fetched, DateTimeOffset now, int elapsedMs, CancellationToken cancellationToken)
    {
        var feed = stored.Feed;
        var settings = options.Value;
        var hash = Convert.ToHexStringLower(SHA256.HashData(fetched.Body));
        if (hash == feed.ContentHash)
        {
            // The server ignored or changed its validators but the bytes are identical: nothing to parse.
            AlertsTelemetry.FeedsNotModified.Add(1);
            logger.LogInformation("Feed {FeedId} {Url} unchanged by content hash: {Status} in {Elapsed} ms",
                feed.Id, feed.Url, fetched.Status, elapsedMs);
            await SucceedAsync(stored, f => Unchanged(f, now, fetched.Status, fetched.ETag, fetched.LastModified, elapsedMs, fetched), cancellationToken);
            return;
        }

        var (parsed, parseError) = await ParseAsync(stored.Feed, fetched, cancellationToken);
        if (parsed is null)
        {
            await RecordFailureAsync(stored, FeedErrorKind.NotAFeed, fetched.Status, parseError, null, now, elapsedMs, cancellationToken);
            return;
        }

        var feedTitle = parsed.Title.Length > 0 ? parsed.Title : feed.Title.Length > 0 ? feed.Title : feed.Site;
        var site = (feed with { SiteUrl = parsed.SiteUrl.Length > 0 ? parsed.SiteUrl : feed.SiteUrl }).Site;
        var matchQueue = storage.Queue(QueueNames.ArticleMatch);
        int added = 0, requeued = 0, retitled = 0;
        var keys = new HashSet<string>(StringComparer.Ordinal);
        // Items first seen by the first successful fetch are the backlog; those first seen later are arrivals. A feed
        // stored before this was recorded counts from its last success.
        var watchedSince = feed.FirstFetchedAt ?? feed.LastSuccessAt ?? now;
        var arrivals = new List<DateTimeOffset>();
        var repeatedGuids = ItemIdentities.RepeatedGuids(parsed.Items);
        // One query for the items already stored, instead of a failed insert and a read per old item.
        var known = await articles.GetKnownAsync(
            feed.Id, parsed.Items.Select(i => TableKeys.Hash(ItemIdentities.Of(i, feed.Identity, repeatedGuids))).Distinct().ToList(), cancellationToken);
        var pages = StartPageFetches(feed, parsed.Items, known, repeatedGuids, cancellationToken);

        foreach (var item in parsed.Items)
        {
            var itemKey = TableKeys.Hash(ItemIdentities.Of(item, feed.Identity, repeatedGuids));
            if (!keys.Add(itemKey))
                continue; // the same item twice in one document
            var article = new Article(
                feed.Id, itemKey, item.Title, item.Link ?? "", item.Summary, item.Content,
                item.PublishedAt ?? now, FirstSeenAt: now, feedTitle, site)
            {
                Author = ParsedAuthor.Byline(item.Authors),
                AuthorEmail = item.Authors.Select(a => a.Email).FirstOrDefault(e => e is not null),
            };

            var existing = known.TryGetValue(itemKey, out var seen) ? seen : null;
            if (existing is null)
            {
                if (pages.TryGetValue(itemKey, out var page) && await page is { } pageText && pageText.Length > article.Content.Length)
                    article = article with { Content = pageText };
                if (await articles.TryAddAsync(article, cancellationToken))
                {
                    await matchQueue.SendAsync(new ArticleMatchMessage(article.Id), cancellationToken);
                    added++;
                    if (now > watchedSince)
                        arrivals.Add(now);
                    continue;
                }
                // Stored meanwhile by a concurrent run.
                existing = await articles.GetAsync(article.Id, cancellationToken);
            }
            if (existing is not null && existing.FirstSeenAt > watchedSince)
                arrivals.Add(existing.FirstSeenAt);
            // An updated entry (new summary, fixed typo in the body) is not news. A new title is: it is stored as a
            // new article keyed by identity and title, so it matches and alerts once more, and only once.
            if (existing is not null && !string.Equals(existing.Title.Trim(), article.Title.Trim(), StringComparison.Ordinal))
            {
                var retitledArticle = article with { ItemKey = TableKeys.Hash(ItemIdentities.Of(item, feed.Identity, repeatedGuids) + "\ntitle:" + item.Title.Trim()) };
                if (await articles.TryAddAsync(retitledArticle, cancellationToken))
                {
                    await matchQueue.SendAsync(new ArticleMatchMessage(retitledArticle.Id), cancellationToken);
                    retitled++;
                    arrivals.Add(now);
                }
                continue;
            }

            // Already stored. If a previous run stored it but died before recording its success, that run may not
            // have queued it for matching: queue it again (matching is idempotent, a duplicate is harmless).
            if (existing is not null && (feed.LastSuccessAt is not { } lastSuccess || existing.FirstSeenAt > lastSuccess))
            {
                await matchQueue.SendAsync(new ArticleMatchMessage(article.Id), cancellationToken);
                requeued++;
            }
        }

        AlertsTelemetry.NewArticles.Add(added);
        logger.LogInformation(
            "Feed {FeedId} {Url} fetched: {Status} in {Elapsed} ms, {Bytes} bytes, {Items} items, {New} new, {Retitled} retitled, {Requeued} requeued",
            feed.Id, feed.Url, fetched.Status, elapsedMs, fetched.Body.Length, parsed.Items.Count, added, retitled, requeued);

        var dates = parsed.Items.Select(i => i.PublishedAt).OfType<DateTimeOffset>().ToList();
        // Written last: until this succeeds a redelivered message redoes the work above, which is safe.
        await SucceedAsync(stored, f => f with
        {
            Url = fetched.MovedTo ?? f.Url,
            PollInterval = FeedSchedule.AdaptiveInterval(arrivals, dates, f.PollInterval, settings.MinPollInterval, settings.MaxPollInterval, now),
            FirstFetchedAt = f.FirstFetchedAt ?? watchedSince,
            PublisherFloor = parsed.DeclaredInterval,
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
            LastRepairs = parsed.Repairs.Length > 0 ? parsed.Repairs : null,
            ConsecutiveFailures = 0,
            // Requeued articles were stored by a run that never got to count them.
            LastNewItemAt = added + retitled + requeued > 0 ? now : f.LastNewItemAt,
            ItemsSeen = f.ItemsSeen + added + retitled + requeued,
            LastResponseMs = elapsedMs,
        } is var next
            ? next with { NextCheckAt = FeedSchedule.NextCheck(now, next.PollInterval, fetched.CacheLifetime, next.PublisherFloor, settings.MaxPollInterval) }
            : f, cancellationToken);
    }

    /// <summary>
    /// Full text (<see cref="Feed.FullText"/>): starts fetching the page of every new item that wants it, all at once
    /// (the per-host throttle paces them). Fetched before the item is stored, so that the stored article, its match
    /// and its snippet all have the page's text. Once per item: the item is stored right after, and a redelivered
    /// message finds it stored (known) and fetches nothing. A run that dies in between fetches again, which is rare
    /// and harmless.
    /// </summary>
    private Dictionary<string, Task<string?>> StartPageFetches(
        Feed feed, IReadOnlyList<ParsedItem> items, IReadOnlyDictionary<string, Article> known, IReadOnlySet<string> repeatedGuids,
        CancellationToken cancellationToken)
    {
        var pages = new Dictionary<string, Task<string?>>(StringComparer.Ordinal);
        if (feed.FullText == FullTextMode.Off)
            return pages;
        foreach (var item in items)
        {
            var key = TableKeys.Hash(ItemIdentities.Of(item, feed.Identity, repeatedGuids));
            if (!known.ContainsKey(key) && !pages.ContainsKey(key) && ArticleFullText.Wanted(feed.FullText, item))
                pages[key] = fullText.FetchAsync(feed, item.Link!, cancellationToken);
        }
        return pages;
    }

    /// <summary>
    /// Parses on a thread of its own under <see cref="FeedFetchOptions.ParseTimeBudget"/>. Past the budget the
    /// parser is told to stop (it checks the token) and the fetch records the feed as unreadable without waiting for
    /// it: a document that costs minutes of CPU must not hold the other feeds of this message, nor the message itself.
    /// </summary>
    private async Task<(ParsedFeed? Feed, string Error)> ParseAsync(Feed feed, FeedFetchResult.Fetched fetched, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        await FeedParserWarmUp.EnsureAsync().WaitAsync(cancellationToken); // compiling the parser is not the document's cost
        try
        {
            return await CpuBudget.RunAsync(
                // The fetched URL is the base of relative links.
                token => parser.TryParse(fetched.Body, fetched.ContentType, fetched.Url ?? feed.Url, settings.MaxItemsPerFetch, token, out var parsed, out var error)
                    ? (parsed, "")
                    // The parser stops with an error when the budget's token fires: report it as the budget.
                    : token.IsCancellationRequested ? throw new OperationCanceledException(token) : ((ParsedFeed?)null, error),
                settings.ParseTimeBudget, cancellationToken);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Feed {FeedId} {Url}: parsing {Bytes} bytes ran past the {Budget} s budget; recorded as unreadable",
                feed.Id, feed.Url, fetched.Body.Length, settings.ParseTimeBudget.TotalSeconds);
            var budget = settings.ParseTimeBudget < TimeSpan.FromSeconds(1)
                ? $"{settings.ParseTimeBudget.TotalMilliseconds:0} ms" : $"{settings.ParseTimeBudget.TotalSeconds:0.#} s";
            return (null, $"Not a readable feed: parsing the {fetched.Body.Length:N0}-byte document took longer than its "
                + $"budget of {budget} (Feeds__ParseTimeBudget); it is too large or too costly to read.");
        }
    }

    private Feed Unchanged(Feed f, DateTimeOffset now, int status, string? etag, DateTimeOffset? lastModified, int elapsedMs, FeedFetchResult result) => f with
    {
        Url = result.MovedTo ?? f.Url,
        ETag = etag ?? f.ETag,
        LastModified = lastModified ?? f.LastModified,
        LastCheckedAt = now,
        LastSuccessAt = now,
        LastHttpStatus = status,
        LastError = null,
        LastErrorKind = null,
        ConsecutiveFailures = 0,
        NextCheckAt = FeedSchedule.NextCheck(now, f.PollInterval, result.CacheLifetime, f.PublisherFloor, options.Value.MaxPollInterval),
        LastResponseMs = elapsedMs,
    };

    private async Task RecordFailureAsync(
        StoredFeed stored, FeedErrorKind kind, int? status, string error, TimeSpan? retryAfter, DateTimeOffset now, int elapsedMs,
        CancellationToken cancellationToken)
    {
        AlertsTelemetry.FetchErrors.Add(1, new KeyValuePair<string, object?>("kind", kind.ToString()));
        var jitter = Random.Shared.NextDouble() * 2 - 1;
        var feed = stored.Feed;
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
                FailingSince = f.FailingSince ?? now,
                NextCheckAt = now + FeedBackoff.Delay(f.PollInterval, failures, options.Value.MaxBackoff, jitter, retryAfter),
                LastResponseMs = elapsedMs,
                // 410 is the publisher saying the feed is gone for good: stop polling until someone re-enables it.
                Status = gone ? FeedStatus.Disabled : f.Status,
                DisabledReason = gone ? "HTTP 410 Gone" : f.DisabledReason,
            };
        }, cancellationToken, stored);

        logger.LogWarning(
            "Feed {FeedId} {Url} failed: {ErrorKind} {Status} in {Elapsed} ms, {Failures} consecutive, next check {NextCheckAt}: {Error}",
            feed.Id, feed.Url, kind, status, elapsedMs, updated?.ConsecutiveFailures, updated?.NextCheckAt, error);
        if (updated is not null)
            await health.AfterFailureAsync(updated, cancellationToken);
    }
}
