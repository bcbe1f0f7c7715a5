namespace Alerts.Core.Feeds;

/// <summary>A feed document reduced to what the app stores. Text fields are plain text.</summary>
public sealed record ParsedFeed(string Title, string SiteUrl, IReadOnlyList<ParsedItem> Items)
{
    /// <summary>The publisher's ttl / sy:updatePeriod, when it declares one.</summary>
    public TimeSpan? DeclaredInterval { get; init; }
}

/// <param name="Guid">RSS guid / Atom id / JSON Feed id, when present.</param>
/// <param name="PublishedAt">UTC; null when the item has no date or one the parser could not read.</param>
public sealed record ParsedItem(string? Guid, string? Link, string Title, string Summary, string Content, DateTimeOffset? PublishedAt);
