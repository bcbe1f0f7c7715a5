namespace Alerts.Core.Matching;

/// <summary>An article that matched a subscription, waiting for (or already in) an email.</summary>
/// <param name="DeliveredIn">The digest key of the email that carried it; null while pending.</param>
/// <param name="ArticleFirstSeenAt">When the article was first seen (null on rows stored before this was kept): a
/// digest leaves out what was first seen before its subscription was made (see <see cref="Digests.LateMatches"/>).</param>
public sealed record MatchRecord(
    string SubscriptionId,
    string ArticleId,
    DateTimeOffset MatchedAt,
    IReadOnlyList<Hit> Hits,
    string? DeliveredIn = null,
    DateTimeOffset? ArticleFirstSeenAt = null);
