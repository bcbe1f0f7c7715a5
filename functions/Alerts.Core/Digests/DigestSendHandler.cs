using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Digests;

public enum DigestSendOutcome
{
    Sent,
    /// <summary>A redelivered message for a digest that is already finished (sent, empty or skipped).</summary>
    AlreadyDone,
    /// <summary>Nothing pending for the period.</summary>
    Empty,
    /// <summary>The subscription is missing, paused, unsubscribed or not yet confirmed.</summary>
    Skipped,
}

public sealed record DigestSendResult(string SubscriptionId, string DigestKey, DigestSendOutcome Outcome, int ArticleCount = 0, string? MessageId = null);

/// <summary>
/// Queue work for <c>digest-send</c>. At-least-once delivery is made safe by the Digests row: the article list
/// is frozen before sending so every attempt sends the same email, matches are marked delivered only after the
/// server accepted it, and a finished row makes any later delivery a no-op.
/// </summary>
public sealed class DigestSendHandler(
    DigestStore digests,
    SubscriptionStore subscriptions,
    MatchStore matches,
    ArticleStore articles,
    DigestComposer composer,
    IEmailSender sender,
    AlertsStorage storage,
    TimeProvider time,
    ILogger<DigestSendHandler> logger)
{
    /// <summary>Cap per email, so the HTML stays under Gmail's ~100 KB clipping and the frozen list far under 64 KiB; the rest waits for the next period.</summary>
    public const int MaxArticles = 50;

    public const string InstantPrefix = "instant-";

    public async Task<DigestSendResult> HandleAsync(DigestSendMessage message, CancellationToken cancellationToken = default)
    {
        var result = await SendAsync(message, cancellationToken);
        logger.LogInformation(
            "Digest {DigestKey} for subscription {SubscriptionId}: {Outcome}, {ArticleCount} articles, message {MessageId}",
            result.DigestKey, result.SubscriptionId, result.Outcome, result.ArticleCount, result.MessageId);
        return result;
    }

    private async Task<DigestSendResult> SendAsync(DigestSendMessage message, CancellationToken cancellationToken)
    {
        var (subscriptionId, key) = (message.SubscriptionId, message.DigestKey);
        if (!SubscriptionStore.IsValidId(subscriptionId) || string.IsNullOrWhiteSpace(key))
            throw new ArgumentException($"Malformed digest message: subscription '{subscriptionId}', key '{key}'.", nameof(message));

        var row = await digests.GetAsync(subscriptionId, key, cancellationToken);
        if (row is { IsFinished: true })
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, row.ArticleIds?.Count ?? 0, row.MessageId);

        var subscription = await subscriptions.GetAsync(subscriptionId, cancellationToken);
        if (subscription is not { Status: SubscriptionStatus.Active })
        {
            await digests.FinishAsync(subscriptionId, key, DigestState.Skipped, time.GetUtcNow(), cancellationToken: cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Skipped);
        }

        if (row?.ArticleIds is null)
        {
            var pending = await matches.ListPendingAsync(subscriptionId, cancellationToken);
            var chosen = Choose(pending, key);
            if (chosen.Count == 0)
            {
                await digests.FinishAsync(subscriptionId, key, DigestState.Empty, time.GetUtcNow(), cancellationToken: cancellationToken);
                return new(subscriptionId, key, DigestSendOutcome.Empty);
            }
            var ids = chosen.Select(m => m.ArticleId).ToList();
            if (!await digests.TryFreezeAsync(subscriptionId, key, row, ids, time.GetUtcNow(), cancellationToken))
                logger.LogWarning("Digest {DigestKey} for {SubscriptionId} was frozen concurrently; using that list", key, subscriptionId);
            row = await digests.GetAsync(subscriptionId, key, cancellationToken)
                ?? throw new InvalidOperationException($"Digest row {subscriptionId}/{key} vanished after freezing.");
            if (row.IsFinished)
                return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, row.ArticleIds?.Count ?? 0, row.MessageId);
        }

        var frozen = row.ArticleIds ?? [];
        // All matches of the partition, not just pending: after a crash between marking and finishing they are already delivered.
        var frozenSet = frozen.ToHashSet(StringComparer.Ordinal);
        var records = (await matches.ListAsync(subscriptionId, cancellationToken)).Where(m => frozenSet.Contains(m.ArticleId)).ToList();
        if (records.Count > 0 && records.All(m => m.DeliveredIn == key))
        {
            // The server accepted this email before the last attempt died; finish without sending it twice.
            await FinishSentAsync(subscription, key, frozen.Count, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, frozen.Count, row.MessageId);
        }

        var found = await articles.GetManyAsync(frozen, cancellationToken);
        var hitsById = records.ToDictionary(m => m.ArticleId, m => m.Hits, StringComparer.Ordinal);
        var items = found.Select(a => new DigestItem(a, hitsById.GetValueOrDefault(a.Id) ?? [])).ToList();
        if (items.Count == 0)
        {
            // The articles are gone (retention); retire the matches so they don't come back every period.
            await matches.MarkDeliveredAsync(subscriptionId, frozen, key, cancellationToken);
            await digests.FinishAsync(subscriptionId, key, DigestState.Empty, time.GetUtcNow(), cancellationToken: cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Empty);
        }

        var email = composer.Compose(subscription, key, items, row.FrozenAt ?? time.GetUtcNow());
        await sender.SendAsync(email, cancellationToken);

        // From here on the email is out: finish even if the host is shutting down.
        await matches.MarkDeliveredAsync(subscriptionId, frozen, key, CancellationToken.None);
        await FinishSentAsync(subscription, key, items.Count, CancellationToken.None, email.MessageId);
        return new(subscriptionId, key, DigestSendOutcome.Sent, items.Count, email.MessageId);
    }

    /// <summary>Instant keys carry one article; periodic digests take the oldest pending matches up to the cap.</summary>
    private static List<MatchRecord> Choose(IReadOnlyList<MatchRecord> pending, string key)
    {
        if (key.StartsWith(InstantPrefix, StringComparison.Ordinal))
        {
            // Only the named article, so two instant emails racing for the same subscription never carry the same match.
            var articleId = key[InstantPrefix.Length..];
            return pending.Where(m => m.ArticleId == articleId).ToList();
        }
        return pending.OrderBy(m => m.MatchedAt).ThenBy(m => m.ArticleId, StringComparer.Ordinal).Take(MaxArticles).ToList();
    }

    private async Task FinishSentAsync(Subscription subscription, string key, int count, CancellationToken cancellationToken, string? messageId = null)
    {
        var now = time.GetUtcNow();
        await digests.FinishAsync(subscription.Id, key, DigestState.Sent, now, messageId, cancellationToken);
        // Merge only LastDigestAt: replacing the whole row could undo an unsubscribe that landed while we were sending.
        try
        {
            await storage.Table(TableNames.Subscriptions).UpdateEntityAsync(
                new TableEntity(subscription.Id, SubscriptionRowKey) { ["LastDigestAt"] = now },
                ETag.All, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            logger.LogInformation("Subscription {SubscriptionId} was deleted while digest {DigestKey} ({Count} articles) was sent", subscription.Id, key, count);
        }
    }

    /// <summary>The row key <see cref="SubscriptionStore"/> stores every subscription under.</summary>
    private const string SubscriptionRowKey = "subscription";
}
