namespace Alerts.Core.Feeds;

/// <summary>Queue <c>feed-fetch</c>: fetch these feeds now (the poller groups up to FeedsPerMessage feeds of one host).</summary>
/// <param name="MoreFeedIds">Further feeds of the same host, fetched with the same per-host politeness.</param>
/// <param name="UnlessCheckedSince">Skip a feed already checked at or after this time. Adding a feed fetches it once
/// and queues this as a safety net for an add that died before recording its check; it never causes a second request.</param>
public sealed record FeedFetchMessage(string FeedId, IReadOnlyList<string>? MoreFeedIds = null, DateTimeOffset? UnlessCheckedSince = null)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public IEnumerable<string> FeedIds => MoreFeedIds is null ? [FeedId] : [FeedId, .. MoreFeedIds];
}
