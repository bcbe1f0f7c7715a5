namespace Alerts.Core.Feeds;

/// <summary>What tells one item of a feed from another (the input to the article's item key).</summary>
public static class ItemIdentities
{
    /// <summary>Guids that occur more than once in one document: they identify nothing there (FreshRSS #5329).</summary>
    public static HashSet<string> RepeatedGuids(IEnumerable<ParsedItem> items) =>
        items.Where(i => i.Guid is not null).GroupBy(i => i.Guid!, StringComparer.Ordinal).Where(g => g.Count() > 1)
            .Select(g => g.Key).ToHashSet(StringComparer.Ordinal);

    public static string Of(ParsedItem item, ItemIdentity mode, IReadOnlySet<string> repeatedGuids)
    {
        var guid = item.Guid is { } g && !repeatedGuids.Contains(g) ? g : null;
        return mode switch
        {
            ItemIdentity.Link => item.Link ?? guid ?? Content(item),
            ItemIdentity.Content => "content:" + item.Title + "\n" + item.Link + "\n" + item.Summary,
            _ => guid ?? item.Link ?? Content(item),
        };
    }

    // Kept as it was before identities were configurable, so existing articles keep their keys.
    private static string Content(ParsedItem item) => item.Title + "\n" + item.Summary + "\n" + item.PublishedAt?.ToString("O");
}
