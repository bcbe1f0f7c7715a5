namespace Alerts.Core.Digests;

/// <summary>
/// Queue <c>digest-send</c>: compose and send one email for one subscription. The key names the email
/// ("daily-2026-11-26", "instant-poll-{feedId}-{firstSeenMs}", "instant-late-{articleId}", "instant-{articleId}") so that a
/// redelivered message never sends a second, different email.
/// </summary>
/// <param name="Attempt">Failed attempts before this message (a retry the handler queued with a delay after a failure).</param>
/// <param name="More">
/// Further subscriptions that get an email of the same key (an article's instant alerts, fanned out in batches): each
/// is claimed and sent on its own, exactly as if it had its own message.
/// </param>
/// <param name="ArticleId">
/// On a poll's instant alert ("instant-poll-..."): the article whose match queued it. The message is handled as the
/// email of the address's lead for that poll (<see cref="InstantPollGroups"/>); when that email was frozen without this
/// subscription's match of the article (it was matched later), the article goes in the address's late email of it
/// ("instant-late-{articleId}", grouped the same way), and if that too was frozen without it, in an email of its own
/// ("instant-{articleId}").
/// </param>
public sealed record DigestSendMessage(string SubscriptionId, string DigestKey, int Attempt = 0, IReadOnlyList<string>? More = null, string? ArticleId = null)
{
    public static DigestSendMessage Batch(IReadOnlyList<string> subscriptionIds, string digestKey, string? articleId = null) =>
        new(subscriptionIds[0], digestKey, More: subscriptionIds.Count > 1 ? subscriptionIds.Skip(1).ToList() : null, ArticleId: articleId);
}
