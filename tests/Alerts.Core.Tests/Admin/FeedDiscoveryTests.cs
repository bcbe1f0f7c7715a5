using System.Text;
using Alerts.Core.Admin;

namespace Alerts.Core.Tests.Admin;

public sealed class FeedDiscoveryTests
{
    [Fact]
    public void Alternate_feed_links_are_found_resolved_and_deduplicated_in_document_order()
    {
        const string html = """
            <html><head>
            <link rel="stylesheet" href="/a.css">
            <link rel="alternate" hreflang="de" href="/de/">
            <LINK REL="alternate" TYPE="application/atom+xml" HREF="atom.xml?a=1&amp;b=2">
            <link type='application/rss+xml' rel='alternate home' href='https://cdn.example.test/rss'>
            <link rel="alternate" type="application/feed+json" href="/feed.json">
            <link rel="alternate" type="application/rss+xml" href="https://cdn.example.test/rss">
            <link rel="alternate" type="application/rss+xml" href="javascript:alert(1)">
            </head></html>
            """;

        var links = FeedDiscovery.FindFeedLinks(html, new Uri("https://news.example.test/section/page.html"));

        Assert.Equal(
            ["https://news.example.test/section/atom.xml?a=1&b=2", "https://cdn.example.test/rss", "https://news.example.test/feed.json"],
            links);
    }

    [Fact]
    public void A_base_element_changes_how_relative_links_resolve()
    {
        const string html = """<head><base href="https://other.example.test/blog/"><link rel="alternate" type="application/rss+xml" href="rss.xml"></head>""";
        Assert.Equal(["https://other.example.test/blog/rss.xml"], FeedDiscovery.FindFeedLinks(html, new Uri("https://news.example.test/")));
    }

    [Fact]
    public void Opml_entries_keep_nested_folders_and_categories_as_tags()
    {
        const string opml = """
            <?xml version="1.0"?>
            <opml version="1.0"><body>
              <outline text="News"><outline text="Local">
                <outline text="City" xmlUrl="https://city.test/rss" category="politics"/>
              </outline></outline>
              <outline title="Flat" xmlurl="https://flat.test/rss"/>
              <outline text="Folder without feeds"/>
            </body></opml>
            """;

        var entries = Opml.Read(new MemoryStream(Encoding.UTF8.GetBytes(opml)));

        Assert.Equal([new OpmlEntry("https://city.test/rss", "City", "News,Local,politics"), new OpmlEntry("https://flat.test/rss", "Flat", "")], entries);
    }

    [Fact]
    public void Opml_with_a_doctype_is_refused_rather_than_expanded()
    {
        const string bomb = """<?xml version="1.0"?><!DOCTYPE opml [<!ENTITY a "aaaaaaaaaa">]><opml><body><outline xmlUrl="&a;"/></body></opml>""";
        Assert.Throws<System.Xml.XmlException>(() => Opml.Read(new MemoryStream(Encoding.UTF8.GetBytes(bomb))));
    }
}
