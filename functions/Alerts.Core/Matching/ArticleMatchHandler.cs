using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Matching;

/// <summary>Queue <c>article-match</c>: matches one stored article against every active subscription.</summary>
public sealed class ArticleMatchHandler(
    ArticleStore articles,
    MatchStore matches,
    SubscriptionIndexProvider indexProvider,
    AlertsStorage storage,
    TimeProvider time,
    ILogger<ArticleMatchHandler> logger)
{
    /// <summary>Returns the number of subscriptions that matched. Safe to run twice for the same article.</summary>
    public async Task<int> HandleAsync(ArticleMatchMessage message, CancellationToken cancellationToken = default)
    {
        var article = await articles.GetAsync(message.ArticleId, cancellationToken);
        if (article is null)
        {
            logger.LogWarning("Article {ArticleId} not found; nothing to match", message.ArticleId);
            return 0;
        }

        var (index, subscriptions) = await indexProvider.GetAsync(cancellationToken);
        // The index knows queries only; a subscription restricted to some sites drops articles from the others here.
        var found = index.Match(new MatchDocument(article.Title, MatchText.Body(article), article.Site))
            .Where(m => !subscriptions.TryGetValue(m.SubscriptionId, out var s) || s.AllowsSite(article.Site))
            .ToList();
        var now = time.GetUtcNow();
        foreach (var match in found)
        {
            if (await matches.TryAddAsync(new MatchRecord(match.SubscriptionId, article.Id, now, match.Hits), cancellationToken))
                AlertsTelemetry.Matches.Add(1);
            // Queued even when the match row already existed: a redelivery may follow a crash before this send,
            // and the digest key makes the email itself happen once.
            if (subscriptions.TryGetValue(match.SubscriptionId, out var s) && s.Frequency == Frequency.Instant)
                await storage.Queue(QueueNames.DigestSend)
                    .SendAsync(new DigestSendMessage(s.Id, "instant-" + article.Id), cancellationToken);
        }
        logger.LogInformation("Article {ArticleId} matched {MatchCount} of {SubscriptionCount} subscriptions",
            article.Id, found.Count, index.Count);
        return found.Count;
    }
}
