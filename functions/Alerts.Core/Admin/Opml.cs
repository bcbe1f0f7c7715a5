using System.Xml;
using System.Xml.Linq;
using Alerts.Core.Feeds;

namespace Alerts.Core.Admin;

/// <summary>One feed entry of an OPML file.</summary>
/// <param name="Tags">The titles of the enclosing outlines plus the entry's <c>category</c> attribute, comma-separated.</param>
public sealed record OpmlEntry(string XmlUrl, string Title, string Tags);

/// <summary>OPML 2.0 reading (every outline with an xmlUrl, at any depth) and writing.</summary>
public static class Opml
{
    /// <summary>Entries in document order. Throws <see cref="XmlException"/> for a file that is not XML.</summary>
    public static IReadOnlyList<OpmlEntry> Read(Stream stream)
    {
        // No DTDs (entity bombs), no external resolution.
        var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 20_000_000 };
        using var reader = XmlReader.Create(stream, settings);
        var document = XDocument.Load(reader);
        var entries = new List<OpmlEntry>();
        foreach (var outline in document.Descendants().Where(e => e.Name.LocalName == "outline"))
        {
            var xmlUrl = Attribute(outline, "xmlUrl");
            if (xmlUrl is null)
                continue;
            var folders = outline.Ancestors().Where(a => a.Name.LocalName == "outline")
                .Select(a => Attribute(a, "text") ?? Attribute(a, "title")).OfType<string>().Reverse();
            var categories = (Attribute(outline, "category") ?? "").Split([',', '/'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var tags = folders.Concat(categories).Where(t => t.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase);
            entries.Add(new OpmlEntry(xmlUrl.Trim(), Attribute(outline, "title") ?? Attribute(outline, "text") ?? "", string.Join(",", tags)));
        }
        return entries;
    }

    public static string Write(IEnumerable<Feed> feeds, string siteName, DateTimeOffset now)
    {
        var body = new XElement("body",
            feeds.OrderBy(f => f.Title, StringComparer.OrdinalIgnoreCase).Select(f => new XElement("outline",
                new XAttribute("type", "rss"),
                new XAttribute("text", f.Title.Length > 0 ? f.Title : f.Url),
                new XAttribute("title", f.Title),
                new XAttribute("xmlUrl", f.Url),
                f.SiteUrl.Length > 0 ? new XAttribute("htmlUrl", f.SiteUrl) : null,
                f.Tags.Length > 0 ? new XAttribute("category", f.Tags) : null)));
        var document = new XDocument(new XDeclaration("1.0", "utf-8", null),
            new XElement("opml", new XAttribute("version", "2.0"),
                new XElement("head", new XElement("title", $"{siteName} feeds"), new XElement("dateCreated", now.ToString("r"))),
                body));
        return document.Declaration + "\n" + document.ToString();
    }

    private static string? Attribute(XElement element, string name) =>
        element.Attributes().FirstOrDefault(a => string.Equals(a.Name.LocalName, name, StringComparison.OrdinalIgnoreCase))?.Value is { Length: > 0 } value
            ? value
            : null;
}
