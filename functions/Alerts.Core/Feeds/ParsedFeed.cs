namespace Alerts.Core.Feeds;

/// <summary>A feed document reduced to what the app stores. Text fields are plain text.</summary>
public sealed record ParsedFeed(string Title, string SiteUrl, IReadOnlyList<ParsedItem> Items)
{
    /// <summary>The publisher's ttl / sy:updatePeriod, when it declares one.</summary>
    public TimeSpan? DeclaredInterval { get; init; }

    /// <summary>"RSS 2.0", "RSS 1.0", "Atom 1.0", "Atom 0.3", "JSON Feed 1.1"...</summary>
    public string Format { get; init; } = "";

    /// <summary>What was repaired to read the document ("3 undeclared entities repaired"); empty when nothing was.</summary>
    public string Repairs { get; init; } = "";

    /// <summary>Characters and nodes the parser visited: a measure of its work, linear in the document's size.</summary>
    public long Work { get; init; }
}

/// <param name="Guid">RSS guid / Atom id / JSON Feed id / RSS 1.0 rdf:about, when present.</param>
/// <param name="Link">Absolute when the document or its xml:base gave a base to resolve it against.</param>
/// <param name="PublishedAt">UTC; null when the item has no date or one the parser could not read.</param>
public sealed record ParsedItem(string? Guid, string? Link, string Title, string Summary, string Content, DateTimeOffset? PublishedAt)
{
    /// <summary>The item's authors, else the feed's.</summary>
    public IReadOnlyList<ParsedAuthor> Authors { get; init; } = [];
}

/// <summary>An author; <see cref="Name"/> is empty when the feed gave only an address.</summary>
public sealed record ParsedAuthor(string Name, string? Email)
{
    /// <summary>"Jane Doe, John Roe": names, or the address where there is no name.</summary>
    public static string Byline(IEnumerable<ParsedAuthor> authors) =>
        string.Join(", ", authors.Select(a => a.Name.Length > 0 ? a.Name : a.Email ?? "").Where(n => n.Length > 0));
}
