using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Digests;

/// <summary>
/// A story an address already received in an instant email of one of its alerts is not sent to it again through
/// another. That happens when a second alert's match of the story is written late (its <c>article-match</c> message
/// redelivered after a failed write), after the email that carried the story for the first alert went out: the late
/// match finds that email frozen without it and would go in one more (<c>instant-late-{article}</c> or
/// <c>instant-{article}</c>).
/// <para>
/// Only an email the mail server accepted counts (its matches carry its instant key once it is sent), so no story is
/// dropped for an email that may still not go. A late match whose other alert's email is frozen but not yet sent (an
/// SMTP outage in between) still gets an email of its own; that other email's retry then leaves the story out. Two
/// such emails sending at the same moment can still both carry it.
/// </para>
/// </summary>
public sealed class ReceivedStories(MatchStore matches, SubscriptionStore subscriptions)
{
    /// <summary>
    /// <paramref name="pending"/> less its matches of <paramref name="articleId"/> when another instant alert of
    /// <paramref name="email"/> already delivered that story; those matches are marked delivered in that email, so
    /// nothing is left for the sweep.
    /// </summary>
    public async Task<List<MatchRecord>> WithoutReceivedAsync(
        List<MatchRecord> pending, string email, string articleId, CancellationToken cancellationToken)
    {
        var late = pending.Where(m => m.ArticleId == articleId).ToList();
        if (late.Count == 0 || (await ReceivedAsync(email, [articleId], cancellationToken)).GetValueOrDefault(articleId) is not { } deliveredIn)
            return pending;
        foreach (var match in late)
            await matches.MarkDeliveredAsync(match.SubscriptionId, [articleId], deliveredIn, cancellationToken);
        return pending.Except(late).ToList();
    }

    /// <summary>
    /// A retried instant email's sections less the stories its address received meanwhile in another instant email (a
    /// late match of another alert, sent while this one waited out a mail outage). Their matches here are marked
    /// delivered in that email, so the sweep does not offer them again; sections left with nothing are dropped.
    /// </summary>
    public async Task<List<DigestSectionIds>> WithoutReceivedAsync(
        List<DigestSectionIds> sections, string email, CancellationToken cancellationToken)
    {
        var received = await ReceivedAsync(email, sections.SelectMany(x => x.ArticleIds).Distinct().ToList(), cancellationToken);
        if (received.Count == 0)
            return sections;
        foreach (var section in sections)
            foreach (var carried in section.ArticleIds.Where(received.ContainsKey).GroupBy(id => received[id]))
                await matches.MarkDeliveredAsync(section.SubscriptionId, carried, carried.Key, cancellationToken);
        return sections.Select(x => x with { ArticleIds = x.ArticleIds.Where(id => !received.ContainsKey(id)).ToList() })
            .Where(x => x.ArticleIds.Count > 0).ToList();
    }

    /// <summary>
    /// Which of <paramref name="articleIds"/> the address already received in an instant email, each with that
    /// email's key. Nothing for an address with one subscription (an address partition read and a point read of it);
    /// otherwise a point read per subscription and article.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, string>> ReceivedAsync(
        string email, IReadOnlyCollection<string> articleIds, CancellationToken cancellationToken)
    {
        var received = new Dictionary<string, string>(StringComparer.Ordinal);
        var address = await subscriptions.ListByEmailAsync(email, cancellationToken);
        if (address.Count < 2)
            return received;
        foreach (var articleId in articleIds)
            foreach (var other in address)
            {
                // Sent in an instant email ("expired-…" marks one that gave up, and a digest's key is not an instant one).
                if (await matches.GetAsync(other.Id, articleId, cancellationToken) is { DeliveredIn: { } key }
                    && key.StartsWith(DigestSendHandler.InstantPrefix, StringComparison.Ordinal))
                {
                    received[articleId] = key;
                    break;
                }
            }
        return received;
    }
}
