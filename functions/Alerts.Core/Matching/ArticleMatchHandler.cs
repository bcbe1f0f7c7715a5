using System.Collections.Concurrent;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;
using Alerts.Core.Email;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Matching;

/// <summary>
/// Queue <c>article-match</c>: matches one stored article against every active subscription, records each match and
/// queues instant alerts. Each subscription's write stands alone: one that fails never fails the article for the
/// others, and an article matched by thousands is written with bounded parallelism, its alerts queued in batches.
/// </summary>
public sealed class ArticleMatchHandler(
    ArticleStore articles,
    MatchStore matches,
    SubscriptionIndexProvider indexProvider,
    AlertsStorage storage,
    TimeProvider time,
    ILogger<ArticleMatchHandler> logger,
    IOptions<DeliveryOptions>? delivery = null)
{
    /// <summary>Match rows written at once: enough to hide round trips, few enough not to flood one storage account.</summary>
    public const int MaxConcurrentWrites = 32;

    /// <summary>Instant alerts per <c>digest-send</c> message (each subscription's email still claimed and sent on its own).</summary>
    public const int InstantBatchSize = 50;

    /// <summary>Returns the number of subscriptions that matched. Safe to run twice, or concurrently, for the same article.</summary>
    public async Task<int> HandleAsync(ArticleMatchMessage message, CancellationToken cancellationToken = default)
    {
        var article = await articles.GetAsync(message.ArticleId, cancellationToken);
        if (article is null)
        {
            logger.LogWarning("Article {ArticleId} not found; nothing to match", message.ArticleId);
            return 0;
        }

        var (index, subscriptions) = await indexProvider.GetAsync(cancellationToken);
        var found = new List<(QueryMatch Match, IndexedSubscription? Subscription)>();
        var late = 0;
        foreach (var match in index.Match(MatchedText.Document(article)))
        {
            var subscription = Lookup(subscriptions, match.SubscriptionId);
            // The index knows queries only; a subscription restricted to some sites drops articles from the others here.
            if (subscription is not null && !subscription.AllowsSite(article.Site))
                continue;
            // A redelivered or late article alerts only those who had subscribed when it was first seen. The index
            // knows when only for instant or site-restricted subscriptions; a digest for all sites is checked when it
            // is frozen (LateMatches), from the first-seen time this row carries.
            if (subscription?.CreatedAt is { } createdAt && createdAt > article.FirstSeenAt)
            {
                late++;
                continue;
            }
            found.Add((match, subscription));
        }

        var now = time.GetUtcNow();
        var instant = new ConcurrentBag<string>();
        var transient = new ConcurrentQueue<Exception>();
        int dropped = 0, failed = 0;
        await Parallel.ForEachAsync(found, new ParallelOptions { MaxDegreeOfParallelism = MaxConcurrentWrites, CancellationToken = cancellationToken },
            async (x, ct) =>
            {
                var (hits, cut) = MatchHits.Bound(x.Match.Hits);
                if (cut > 0)
                {
                    Interlocked.Add(ref dropped, cut);
                    AlertsTelemetry.HitsDropped.Add(cut);
                }
                try
                {
                    if (await matches.TryAddAsync(new MatchRecord(x.Match.SubscriptionId, article.Id, now, hits, ArticleFirstSeenAt: article.FirstSeenAt), ct))
                        AlertsTelemetry.Matches.Add(1);
                    // Queued even when the match row already existed: a redelivery may follow a crash before this send,
                    // and the digest key and its claim make the email itself happen once.
                    if (x.Subscription?.Frequency == Frequency.Instant)
                        instant.Add(x.Subscription.Id);
                }
                catch (RequestFailedException ex) when (ex.Status is >= 400 and < 500 and not 408 and not 429)
                {
                    // This row can never be written (a broken entity): drop it, count it, and carry on with the others.
                    Interlocked.Increment(ref failed);
                    AlertsTelemetry.MatchWritesFailed.Add(1);
                    logger.LogError(ex, "Match of article {ArticleId} for subscription {SubscriptionId} could not be stored; dropped",
                        article.Id, x.Match.SubscriptionId);
                }
                catch (Exception ex) when (StorageFailure.IsTransient(ex))
                {
                    // Storage trouble: finish the others, then fail the message so that it is redelivered for this one.
                    transient.Enqueue(ex);
                }
            });

        var queue = storage.Queue(QueueNames.DigestSend);
        var gather = delivery?.Value.InstantGatherFor ?? TimeSpan.Zero;
        await Parallel.ForEachAsync(instant.Order(StringComparer.Ordinal).Chunk(InstantBatchSize),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            // Keyed by the poll, not the article: the first alert of a poll that runs sends every instant match of the poll
            // found so far in one email; the others find their article in it (or, matched too late, send it in one more).
            // Hidden for the gather window, so that "so far" is the whole poll however the poll's matching was spread.
            async (batch, ct) => await queue.SendHiddenAsync(
                DigestSendMessage.Batch(batch, DigestSendHandler.PollKey(article.Id, article.FirstSeenAt), article.Id), gather, ct));

        logger.LogInformation(
            "Article {ArticleId} matched {MatchCount} of {SubscriptionCount} subscriptions ({Late} subscribed after it was first seen, {Instant} instant, {Dropped} hits dropped, {Failed} writes dropped, {Transient} to retry)",
            article.Id, found.Count, index.Count, late, instant.Count, dropped, failed, transient.Count);
        if (!transient.IsEmpty)
            throw new AggregateException($"Article {article.Id}: {transient.Count} match writes failed and will be retried.", transient);
        return found.Count;
    }

    /// <summary>The one place that finds a matched subscription's record (null when the index knows it but the record is gone).</summary>
    /// <summary>What the index keeps of a matched subscription: only instant or site-restricted ones are there (to
    /// keep a million subscriptions in memory); absent means a digest for all sites, read when its digest is sent.</summary>
    private static IndexedSubscription? Lookup(IReadOnlyDictionary<string, IndexedSubscription> subscriptions, string subscriptionId) =>
        subscriptions.TryGetValue(subscriptionId, out var s) ? s : null;
}
