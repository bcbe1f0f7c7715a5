using System.Globalization;
using System.Security;
using System.Text;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>Builds an RSS 2.0 document for tests. Mutable on purpose: tests add items between fetches.</summary>
public sealed class RssBuilder
{
    private readonly List<RssItem> _items = [];

    public RssBuilder(string title = "Test feed", string link = "https://example.test/", string description = "A feed for tests")
    {
        Title = title;
        Link = link;
        Description = description;
    }

    public string Title { get; set; }
    public string Link { get; set; }
    public string Description { get; set; }
    public IReadOnlyList<RssItem> Items => _items;

    /// <summary>Raw XML appended inside &lt;channel&gt; (e.g. "&lt;ttl&gt;60&lt;/ttl&gt;"); the sy: prefix is declared.</summary>
    public string ChannelXml { get; set; } = "";

    /// <summary>Adds an item at the top (feeds list newest first). The guid defaults to the link.</summary>
    public RssBuilder AddItem(string title, string link, string description, DateTimeOffset? published = null, string? guid = null)
    {
        _items.Insert(0, new RssItem(title, link, description, published, guid ?? link));
        return this;
    }

    /// <summary>Removes every item (to script a feed whose items are rewritten in place).</summary>
    public RssBuilder Clear()
    {
        _items.Clear();
        return this;
    }

    public RssBuilder AddItem(RssItem item)
    {
        _items.Insert(0, item);
        return this;
    }

    public string Build()
    {
        static string X(string s) => SecurityElement.Escape(s);
        var xml = new StringBuilder();
        xml.Append("<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<rss version=\"2.0\" xmlns:sy=\"http://purl.org/rss/1.0/modules/syndication/\"><channel>");
        xml.Append($"<title>{X(Title)}</title><link>{X(Link)}</link><description>{X(Description)}</description>");
        xml.Append(ChannelXml);
        foreach (var item in _items)
        {
            xml.Append("<item>");
            xml.Append($"<title>{X(item.Title)}</title><link>{X(item.Link)}</link>");
            // Escaped HTML, as real feeds carry it.
            xml.Append($"<description>{X(item.Description)}</description>");
            if (item.Guid is { } guid)
                xml.Append($"<guid isPermaLink=\"false\">{X(guid)}</guid>");
            if (item.Published is { } published)
                xml.Append($"<pubDate>{published.ToUniversalTime().ToString("r", CultureInfo.InvariantCulture)}</pubDate>");
            xml.Append("</item>");
        }
        xml.Append("</channel></rss>");
        return xml.ToString();
    }

    public byte[] BuildBytes() => Encoding.UTF8.GetBytes(Build());
}

public sealed record RssItem(string Title, string Link, string Description, DateTimeOffset? Published = null, string? Guid = null);
