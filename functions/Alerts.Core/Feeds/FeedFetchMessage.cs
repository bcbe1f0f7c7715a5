namespace Alerts.Core.Feeds;

/// <summary>Queue <c>feed-fetch</c>: fetch this feed now.</summary>
public sealed record FeedFetchMessage(string FeedId);
