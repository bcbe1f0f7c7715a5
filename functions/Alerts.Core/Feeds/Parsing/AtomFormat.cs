using System.Xml.Linq;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// Atom 1.0 and 0.3: text constructs, links by rel (alternate, or none, preferred; then any), xml:base, dates
/// (published, 0.3's issued and created, then updated / modified), authors of the entry, else of its source or feed.
/// </summary>
internal static class AtomFormat
{
    private const string Core = "atom";

    public static ParsedFeed Map(XElement root, FeedContext context)
    {
        var fields = FeedXml.Index(root, Core);
        var rootBase = FeedXml.BaseOf(root, context.DocumentUrl);
        var feedAuthors = FeedAuthors.Distinct(fields.All("author").Select(Person));
        var items = new List<ParsedItem>();
        foreach (var entry in fields.All("entry"))
        {
            if (items.Count >= context.MaxItems)
                break;
            context.Budget.Add(64);
            items.Add(Entry(entry, feedAuthors, context));
        }
        var version = root.Name.NamespaceName == FeedNamespaces.Atom03 || FeedXml.Attribute(root, "version")?.Trim() == "0.3" ? "Atom 0.3" : "Atom 1.0";
        return new ParsedFeed(AtomText.Plain(fields.First("title"), context.Budget), Link(fields, rootBase) ?? "", items) { Format = version, DeclaredInterval = PublisherInterval.Of(fields) };
    }

    private static ParsedItem Entry(XElement entry, IReadOnlyList<ParsedAuthor> feedAuthors, FeedContext context)
    {
        var fields = FeedXml.Index(entry, Core);
        var baseUri = FeedXml.BaseOf(entry, context.DocumentUrl);
        var id = fields.First("id")?.Value.Trim();
        var link = Link(fields, baseUri);
        if (link is null && id is not null && (id.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || id.StartsWith("https://", StringComparison.OrdinalIgnoreCase)))
            link = id;
        var title = AtomText.Plain(fields.First("title", "dc:title", "media:title"), context.Budget);
        var summary = fields.First("summary", "atom:summary") is { } s ? AtomText.Plain(s, context.Budget)
            : FeedText.Html(fields.First("dc:description", "media:description"), context.Budget);
        var content = fields.First("content") is { } c ? AtomText.Plain(c, context.Budget) : FeedText.Html(fields.First("content:encoded"), context.Budget);
        var date = FeedDates.TryParse(fields.First("published", "issued", "created", "dc:date", "updated", "modified")?.Value);
        var source = fields.One("source") is { } src ? FeedXml.Index(src, Core).All("author").Select(Person) : [];
        var own = FeedAuthors.Distinct([.. fields.All("author").Select(Person), .. fields.All("dc:creator").Select(e => FeedAuthors.FromText(e.Value))]);
        var authors = own.Count > 0 ? own : FeedAuthors.Distinct(source) is { Count: > 0 } fromSource ? fromSource : feedAuthors;
        return new ParsedItem(string.IsNullOrEmpty(id) ? null : id, link, title, summary, content, date) { Authors = authors };
    }

    /// <summary>An Atom person construct (name, email), or a bare name written as its text.</summary>
    public static ParsedAuthor? Person(XElement person)
    {
        var fields = FeedXml.Index(person, Core);
        if (fields.One("name") is null && fields.One("email") is null)
            return FeedAuthors.FromText(person.Value);
        return FeedAuthors.Make(fields.First("name")?.Value, fields.First("email")?.Value);
    }

    private static string? Link(Fields fields, Uri? baseUri)
    {
        XElement? best = null;
        var bestRank = int.MaxValue;
        foreach (var link in fields.All("link"))
        {
            var href = FeedXml.Attribute(link, "href") ?? (link.Value.Trim() is { Length: > 0 } text ? text : null);
            if (href is null)
                continue;
            var rel = (FeedXml.Attribute(link, "rel") ?? "alternate").Trim().ToLowerInvariant();
            var type = (FeedXml.Attribute(link, "type") ?? "").Trim().ToLowerInvariant();
            var rank = rel switch
            {
                "alternate" or "" or "http://www.iana.org/assignments/relation/alternate" => type is "" or "text/html" or "application/xhtml+xml" ? 0 : 1,
                "related" or "via" => 2,
                "self" or "edit" or "replies" or "enclosure" or "license" or "hub" => 4,
                _ => 3,
            };
            if (rank < bestRank && rank < 4) // a self or edit link is the feed's or the API's address, not the story's
                (best, bestRank) = (link, rank);
        }
        if (best is null)
            return null;
        var value = FeedXml.Attribute(best, "href") ?? best.Value;
        return FeedXml.Url(value, FeedXml.BaseOf(best, baseUri));
    }
}
