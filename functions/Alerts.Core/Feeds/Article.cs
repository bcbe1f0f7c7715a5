namespace Alerts.Core.Feeds;

/// <summary>One normalised feed item, stored once per feed.</summary>
/// <param name="FeedId">The feed it came from (lower-case hex, never contains '_').</param>
/// <param name="ItemKey">Hash of the item's identity: guid, else link, else content.</param>
/// <param name="Summary">Plain text, tags stripped and entities decoded.</param>
/// <param name="Content">Plain text of the full content when the feed carries it, else empty.</param>
/// <param name="PublishedAt">The item's own date in UTC, or the time it was first seen when it has none.</param>
public sealed record Article(
    string FeedId,
    string ItemKey,
    string Title,
    string Link,
    string Summary,
    string Content,
    DateTimeOffset PublishedAt,
    DateTimeOffset FirstSeenAt,
    string FeedTitle,
    string Site)
{
    /// <summary>The byline: the item's (else the feed's) author names, comma-separated; empty when the feed names none.</summary>
    public string Author { get; init; } = "";

    /// <summary>The first author's address, where the feed gives one.</summary>
    public string? AuthorEmail { get; init; }

    /// <summary>Globally unique id: "{FeedId}_{ItemKey}".</summary>
    public string Id => ArticleId.Of(FeedId, ItemKey);
}

public static class ArticleId
{
    public static string Of(string feedId, string itemKey) => feedId + "_" + itemKey;

    public static (string FeedId, string ItemKey) Split(string articleId)
    {
        var i = articleId.IndexOf('_');
        if (i <= 0 || i == articleId.Length - 1)
            throw new FormatException($"'{articleId}' is not an article id (feedId_itemKey).");
        return (articleId[..i], articleId[(i + 1)..]);
    }
}
