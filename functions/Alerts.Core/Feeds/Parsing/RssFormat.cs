using System.Xml.Linq;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// RSS 0.9x and 2.0 (<c>&lt;rss&gt;&lt;channel&gt;</c>), RSS 0.90 and 1.0 (RDF: the items are siblings of the
/// channel and <c>rdf:about</c> is their id), and the modules feeds mix in: Dublin Core, content:encoded, Media RSS,
/// iTunes, Atom links and dates.
/// </summary>
internal static class RssFormat
{
    public static ParsedFeed Map(XElement root, FeedContext context)
    {
        var rdf = root.Name.LocalName.Equals("RDF", StringComparison.OrdinalIgnoreCase);
        var channel = FeedXml.Key(root) == "channel" ? root : root.Elements().FirstOrDefault(e => FeedXml.Key(e) == "channel") ?? root;
        var fields = FeedXml.Index(channel);
        var channelBase = FeedXml.BaseOf(channel, context.DocumentUrl);

        var itemElements = channel.Elements().Where(IsItem);
        if (channel != root)
            itemElements = itemElements.Concat(root.Elements().Where(IsItem));
        // RSS 1.0 puts a channel's items list (rdf:Seq) inside the channel; only elements named item are items.
        var items = new List<ParsedItem>();
        foreach (var item in itemElements)
        {
            if (items.Count >= context.MaxItems)
                break;
            context.Budget.Add(64);
            items.Add(Item(item, context));
        }

        var title = FeedText.Html(fields.First("title", "dc:title", "atom:title"), context.Budget);
        var site = SiteLink(fields, channelBase);
        return new ParsedFeed(title, site ?? "", items)
        {
            DeclaredInterval = PublisherInterval.Of(fields),
            Format = rdf ? (channel.Name.NamespaceName.Contains("netscape", StringComparison.Ordinal) ? "RSS 0.90" : "RSS 1.0")
                : "RSS " + (FeedXml.Attribute(root, "version")?.Trim() is { Length: > 0 } v ? v : "2.0"),
        };
    }

    private static bool IsItem(XElement e) => FeedXml.Key(e) == "item";

    private static string? SiteLink(Fields fields, Uri? baseUri)
    {
        if (fields.First("link") is { } link && !string.IsNullOrWhiteSpace(link.Value))
            return FeedXml.Url(link.Value, baseUri);
        foreach (var atomLink in fields.All("atom:link"))
            if ((FeedXml.Attribute(atomLink, "rel") ?? "alternate") == "alternate" && FeedXml.Attribute(atomLink, "href") is { } href)
                return FeedXml.Url(href, FeedXml.BaseOf(atomLink, baseUri));
        return null;
    }

    private static ParsedItem Item(XElement item, FeedContext context)
    {
        var fields = FeedXml.Index(item);
        var baseUri = FeedXml.BaseOf(item, context.DocumentUrl);

        var guidElement = fields.First("guid");
        var guid = guidElement?.Value.Trim();
        var about = FeedXml.Attribute(item, "about");
        var id = !string.IsNullOrEmpty(guid) ? guid : !string.IsNullOrWhiteSpace(about) ? about.Trim() : null;

        var link = Link(fields, guidElement, about, baseUri);
        var title = FeedText.Html(fields.First("title", "dc:title", "media:title") ?? MediaGroup(fields, "media:title"), context.Budget);
        var summary = FeedText.Html(fields.First("description", "dc:description", "media:description", "itunes:summary", "atom:summary", "summary", "abstract")
            ?? MediaGroup(fields, "media:description"), context.Budget);
        var content = fields.First("content:encoded", "atom:content", "xhtml:body", "body", "fullitem") is { } body
            ? (FeedXml.Key(body) == "atom:content" ? AtomText.Plain(body, context.Budget) : FeedText.Html(body, context.Budget))
            : "";
        var date = FeedDates.TryParse(fields.First("pubdate", "dc:date", "atom:published", "dc:created", "date", "dc:issued", "atom:updated", "dc:modified", "lastbuilddate")?.Value);
        var authors = FeedAuthors.Distinct([
            .. fields.All("author").Select(e => FeedAuthors.FromText(e.Value)),
            .. fields.All("dc:creator").Select(e => FeedAuthors.FromText(e.Value)),
            .. fields.All("atom:author").Select(AtomFormat.Person),
            .. fields.All("itunes:author").Select(e => FeedAuthors.FromText(e.Value)),
        ]);
        return new ParsedItem(id, link, title, summary, content, date) { Authors = authors };
    }

    private static XElement? MediaGroup(Fields fields, string key) =>
        fields.All("media:group").Select(g => FeedXml.Index(g).First(key)).FirstOrDefault(e => e is not null);

    /// <summary>link, else a guid that is a permalink (isPermaLink is true unless it says false), else an Atom link, else rdf:about.</summary>
    private static string? Link(Fields fields, XElement? guid, string? about, Uri? baseUri)
    {
        foreach (var link in fields.All("link"))
        {
            var text = link.Value.Trim();
            if (text.Length == 0)
                text = FeedXml.Attribute(link, "href") ?? "";
            if (text.Length > 0)
                return FeedXml.Url(text, FeedXml.BaseOf(link, baseUri));
        }
        if (guid is not null && !string.Equals(FeedXml.Attribute(guid, "isPermaLink")?.Trim(), "false", StringComparison.OrdinalIgnoreCase)
            && IsWebAddress(guid.Value.Trim(), baseUri))
            return FeedXml.Url(guid.Value, baseUri);
        foreach (var atomLink in fields.All("atom:link"))
            if ((FeedXml.Attribute(atomLink, "rel") ?? "alternate") == "alternate" && FeedXml.Attribute(atomLink, "href") is { } href)
                return FeedXml.Url(href, FeedXml.BaseOf(atomLink, baseUri));
        if (about is not null && IsWebAddress(about.Trim(), null))
            return about.Trim();
        if (fields.One("enclosure") is { } enclosure && FeedXml.Attribute(enclosure, "url") is { } url)
            return FeedXml.Url(url, baseUri);
        return null;
    }

    private static bool IsWebAddress(string text, Uri? baseUri) =>
        text.StartsWith("http://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("https://", StringComparison.OrdinalIgnoreCase)
        || (baseUri is not null && text.StartsWith('/') && !text.StartsWith("//", StringComparison.Ordinal));
}
