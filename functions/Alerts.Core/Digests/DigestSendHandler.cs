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
        if (row?.GroupedInto is not null)
            // This period of this subscription is a section of the lead's email; that message sends it.
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone);

        // The subscriptions this email covers: the lead alone, or the group the scheduler fixed on the lead's row.
        var memberIds = row?.Members is { Count: > 0 } listed ? listed : [subscriptionId];
        var active = new List<Subscription>();
        foreach (var id in memberIds)
            if (await subscriptions.GetAsync(id, cancellationToken) is { Status: SubscriptionStatus.Active } member)
                active.Add(member);
        if (active.Count == 0)
        {
            await FinishAllAsync(memberIds, key, DigestState.Skipped, null, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Skipped);
        }

        if (row?.ArticleIds is null)
        {
            var pending = new List<MatchRecord>();
            foreach (var s in active)
                pending.AddRange(await matches.ListPendingAsync(s.Id, cancellationToken));
            var chosen = Choose(pending, key);
            if (chosen.Count == 0)
            {
                await FinishAllAsync(memberIds, key, DigestState.Empty, null, cancellationToken);
                return new(subscriptionId, key, DigestSendOutcome.Empty);
            }
            var ids = chosen.Select(m => m.ArticleId).Distinct().ToList();
            // A digest of one subscription keeps the old row shape; a grouped one also freezes which subscription matched what.
            var sections = row?.Members is { Count: > 0 }
                ? active.Select(s => new DigestSectionIds(s.Id, chosen.Where(m => m.SubscriptionId == s.Id).Select(m => m.ArticleId).ToList()))
                    .Where(x => x.ArticleIds.Count > 0).ToList()
                : null;
            if (!await digests.TryFreezeAsync(subscriptionId, key, row, ids, time.GetUtcNow(), cancellationToken, sections))
                logger.LogWarning("Digest {DigestKey} for {SubscriptionId} was frozen concurrently; using that list", key, subscriptionId);
            row = await digests.GetAsync(subscriptionId, key, cancellationToken)
                ?? throw new InvalidOperationException($"Digest row {subscriptionId}/{key} vanished after freezing.");
            if (row.IsFinished)
                return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, row.ArticleIds?.Count ?? 0, row.MessageId);
        }

        var frozen = row.ArticleIds ?? [];
        // Sections of subscriptions paused or unsubscribed since the freeze are dropped: their matches stay pending.
        var activeById = active.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var frozenSections = (row.Sections ?? [new DigestSectionIds(subscriptionId, frozen)])
            .Where(x => activeById.ContainsKey(x.SubscriptionId)).ToList();
        if (frozenSections.Count == 0)
        {
            await FinishAllAsync(memberIds, key, DigestState.Skipped, null, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Skipped);
        }

        // All matches of each partition, not just pending: after a crash between marking and finishing they are already delivered.
        var records = new Dictionary<string, List<MatchRecord>>(StringComparer.Ordinal);
        foreach (var section in frozenSections)
        {
            var set = section.ArticleIds.ToHashSet(StringComparer.Ordinal);
            records[section.SubscriptionId] = (await matches.ListAsync(section.SubscriptionId, cancellationToken)).Where(m => set.Contains(m.ArticleId)).ToList();
        }
        // Matches carry this key only once the server accepted this email (one digest per subscription and key), so
        // any one of them proves the last attempt sent it; complete the marking and finish without sending twice.
        if (records.Values.SelectMany(r => r).Any(m => m.DeliveredIn == key))
        {
            await MarkDeliveredAsync(frozenSections, key, CancellationToken.None);
            await FinishSentAsync(memberIds, activeById, key, frozen.Count, row.MessageId, CancellationToken.None);
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, frozen.Count, row.MessageId);
        }

        var found = (await articles.GetManyAsync(frozenSections.SelectMany(x => x.ArticleIds).Distinct().ToList(), cancellationToken))
            .ToDictionary(a => a.Id, StringComparer.Ordinal);
        var composed = frozenSections.Select(section =>
        {
            var hits = records[section.SubscriptionId].ToDictionary(m => m.ArticleId, m => m.Hits, StringComparer.Ordinal);
            return new DigestSection(activeById[section.SubscriptionId], section.ArticleIds
                .Where(found.ContainsKey)
                .Select(id => new DigestItem(found[id], hits.GetValueOrDefault(id) ?? []))
                .ToList());
        }).ToList();
        var itemCount = composed.SelectMany(x => x.Items).Select(i => i.Article.Id).Distinct().Count();
        if (itemCount == 0)
        {
            // The articles are gone (retention); retire the matches so they don't come back every period.
            await MarkDeliveredAsync(frozenSections, key, cancellationToken);
            await FinishAllAsync(memberIds, key, DigestState.Empty, null, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Empty);
        }

        var email = composer.Compose(subscriptionId, composed, key, row.FrozenAt ?? time.GetUtcNow());
        try
        {
            await sender.SendAsync(email, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            AlertsTelemetry.SendFailures.Add(1);
            throw;
        }
        AlertsTelemetry.DigestsSent.Add(1);

        // From here on the email is out: finish even if the host is shutting down.
        await MarkDeliveredAsync(frozenSections, key, CancellationToken.None);
        await FinishSentAsync(memberIds, activeById, key, itemCount, email.MessageId, CancellationToken.None);
        return new(subscriptionId, key, DigestSendOutcome.Sent, itemCount, email.MessageId);
    }

    private async Task MarkDeliveredAsync(IEnumerable<DigestSectionIds> sections, string key, CancellationToken cancellationToken)
    {
        foreach (var section in sections)
            await matches.MarkDeliveredAsync(section.SubscriptionId, section.ArticleIds, key, cancellationToken);
    }

    private async Task FinishAllAsync(IEnumerable<string> memberIds, string key, DigestState state, string? messageId, CancellationToken cancellationToken)
    {
        foreach (var id in memberIds)
            await digests.FinishAsync(id, key, state, time.GetUtcNow(), messageId, cancellationToken);
    }

    /// <summary>Every member row is finished: Sent for the subscriptions in the email, Skipped for those no longer active.</summary>
    private async Task FinishSentAsync(
        IReadOnlyList<string> memberIds, IReadOnlyDictionary<string, Subscription> active, string key, int count, string? messageId,
        CancellationToken cancellationToken)
    {
        // Members first, the lead last: the lead's finished row is what makes a redelivery a no-op.
        foreach (var id in memberIds.Skip(1).Append(memberIds[0]))
        {
            if (active.TryGetValue(id, out var subscription))
                await FinishSentAsync(subscription, key, count, cancellationToken, messageId);
            else
                await digests.FinishAsync(id, key, DigestState.Skipped, time.GetUtcNow(), cancellationToken: cancellationToken);
        }
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
        // The oldest matches up to the cap of distinct articles; an article several subscriptions matched counts once.
        var articlesChosen = new HashSet<string>(StringComparer.Ordinal);
        var chosen = new List<MatchRecord>();
        foreach (var m in pending.OrderBy(m => m.MatchedAt).ThenBy(m => m.ArticleId, StringComparer.Ordinal).ThenBy(m => m.SubscriptionId, StringComparer.Ordinal))
            if (articlesChosen.Contains(m.ArticleId) || articlesChosen.Count < MaxArticles)
            {
                articlesChosen.Add(m.ArticleId);
                chosen.Add(m);
            }
        return chosen;
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
