using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Digests;

/// <summary>
/// Subscribed after the fact: a redelivered or late article goes only to subscriptions made before it was first seen.
/// The in-memory index keeps the creation time only for instant or site-restricted subscriptions (a million digest
/// subscriptions cost nothing more than their queries); for the others the match row carries the article's first-seen
/// time and the check happens here, when a digest is frozen and its subscription row has been read anyway.
/// </summary>
public static class LateMatches
{
    /// <summary>
    /// Splits <paramref name="subscription"/>'s pending matches into those it may receive and those first seen before
    /// it was made. A row without the first-seen time (stored before it was kept) falls back to when it was matched,
    /// which is never earlier.
    /// </summary>
    public static (List<MatchRecord> Keep, List<string> LateArticleIds) Split(Subscription subscription, IEnumerable<MatchRecord> pending)
    {
        var keep = new List<MatchRecord>();
        var late = new List<string>();
        foreach (var match in pending)
        {
            if ((match.ArticleFirstSeenAt ?? match.MatchedAt) < subscription.CreatedAt)
                late.Add(match.ArticleId);
            else
                keep.Add(match);
        }
        return (keep, late);
    }

    /// <summary>
    /// The pending matches the subscription may receive. Late ones are deleted: they should never have been recorded,
    /// so they neither wait for a later digest nor show in the subscriber's export. A redelivery that records one
    /// again meets the same check at the next freeze.
    /// </summary>
    public static async Task<List<MatchRecord>> PendingAsync(MatchStore matches, Subscription subscription, CancellationToken cancellationToken)
    {
        var (keep, late) = Split(subscription, await matches.ListPendingAsync(subscription.Id, cancellationToken));
        if (late.Count > 0)
        {
            AlertsTelemetry.LateMatchesDropped.Add(late.Count);
            await matches.DeleteAsync(subscription.Id, late, cancellationToken);
        }
        return keep;
    }
}
