namespace Alerts.Core.Matching;

/// <summary>An article that matched a subscription, waiting for (or already in) an email.</summary>
/// <param name="DeliveredIn">The digest key of the email that carried it; null while pending.</param>
public sealed record MatchRecord(
    string SubscriptionId,
    string ArticleId,
    DateTimeOffset MatchedAt,
    IReadOnlyList<Hit> Hits,
    string? DeliveredIn = null);
