using System.Diagnostics;
using System.Text;
using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

public sealed class FeedParserTests
{
    private readonly FeedParser _parser = new();

    [Fact]
    public void Billion_laughs_fails_fast_as_not_a_feed()
    {
        var watch = Stopwatch.StartNew();
        var ok = _parser.TryParse(Encoding.UTF8.GetBytes(XmlBomb.BillionLaughs), 200, out _, out var error);

        Assert.False(ok);
        Assert.Contains("XmlException", error);
        Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2), $"Took {watch.Elapsed}.");
    }

    [Fact]
    public void A_feed_with_small_internal_entities_still_parses()
    {
        const string xml = """
            <?xml version="1.0" encoding="utf-8"?>
            <!DOCTYPE rss [ <!ENTITY brand "Example News"> ]>
            <rss version="2.0"><channel><title>&brand;</title><link>https://example.test/</link><description>d</description>
            <item><title>About &brand;</title><link>https://example.test/1</link></item></channel></rss>
            """;
        Assert.True(_parser.TryParse(Encoding.UTF8.GetBytes("\n  " + xml), 200, out var feed, out var error), error);
        Assert.Equal("Example News", feed.Title);
        Assert.Equal("About Example News", feed.Items[0].Title);
    }

    [Theory]
    [InlineData("<!DOCTYPE html><html><body><p>Hi</p></body></html>")]
    [InlineData("")]
    [InlineData("{\"not\": \"a feed\"}")]
    [InlineData("<rss version=\"2.0\"><channel><title>cut off")]
    public void Junk_is_a_parse_failure_not_an_exception(string body)
    {
        Assert.False(_parser.TryParse(Encoding.UTF8.GetBytes(body), 200, out var feed, out var error));
        Assert.Null(feed);
        Assert.StartsWith("Not a readable feed", error);
    }

    [Fact]
    public void Declared_encoding_is_honoured()
    {
        var xml = "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><rss version=\"2.0\"><channel><title>Grüße</title>" +
                  "<link>https://example.test/</link><description>d</description>" +
                  "<item><title>Åäö</title><link>https://example.test/1</link></item></channel></rss>";
        Assert.True(_parser.TryParse(Encoding.Latin1.GetBytes(xml), 200, out var feed, out _));
        Assert.Equal("Grüße", feed.Title);
        Assert.Equal("Åäö", feed.Items[0].Title);
    }

    [Fact]
    public void Items_are_plain_text_with_utc_dates_and_limited_in_number()
    {
        var rss = new RssBuilder("Feed &amp; co", "https://example.test/");
        for (var i = 0; i < 5; i++)
            rss.AddItem($"Item {i}", $"https://example.test/{i}", $"<div>Text <i>{i}</i>&nbsp;&eacute;</div>",
                new DateTimeOffset(2026, 1, 1, 12, 0, 0, TimeSpan.FromHours(-5)), guid: $"id-{i}");

        Assert.True(_parser.TryParse(rss.BuildBytes(), 3, out var feed, out _));

        Assert.Equal("Feed & co", feed.Title);
        Assert.Equal("https://example.test/", feed.SiteUrl);
        Assert.Equal(3, feed.Items.Count);
        var item = feed.Items[0];
        Assert.Equal("id-4", item.Guid);
        Assert.Equal("https://example.test/4", item.Link);
        Assert.Equal("Text 4 é", item.Summary); // the no-break space collapses like any whitespace
        Assert.Equal(new DateTimeOffset(2026, 1, 1, 17, 0, 0, TimeSpan.Zero), item.PublishedAt);
    }

    [Fact]
    public void Atom_and_unreadable_dates_are_supported()
    {
        const string atom = """
            <?xml version="1.0" encoding="utf-8"?>
            <feed xmlns="http://www.w3.org/2005/Atom">
              <title>Atom feed</title><link href="https://atom.test/"/><id>urn:feed</id><updated>2026-01-01T00:00:00Z</updated>
              <entry><title>Entry</title><id>urn:entry:1</id><link href="https://atom.test/1"/>
                <updated>not a date</updated><summary type="html">&lt;p&gt;Sum&lt;/p&gt;</summary>
                <content type="html">&lt;p&gt;Body &lt;script&gt;x()&lt;/script&gt;text&lt;/p&gt;</content></entry>
            </feed>
            """;
        Assert.True(_parser.TryParse(Encoding.UTF8.GetBytes(atom), 200, out var feed, out _));
        var entry = Assert.Single(feed.Items);
        Assert.Equal("urn:entry:1", entry.Guid);
        Assert.Equal("Sum", entry.Summary);
        Assert.Equal("Body text", entry.Content);
        Assert.Null(entry.PublishedAt);
    }
}

public sealed class HtmlTextTests
{
    [Theory]
    [InlineData("<p>Hello <b>world</b></p>", "Hello world")]
    [InlineData("a<script type=\"x\">var s = '<p>';</script>b", "a b")]
    [InlineData("<STYLE>p { color: red }</STYLE>text", "text")]
    [InlineData("x <!-- hidden --> y", "x y")]
    [InlineData("Fish &amp; chips &lt;3 &#8220;q&#x201D;", "Fish & chips <3 \u201cq\u201d")]
    [InlineData("  line\n\n\tbreak  ", "line break")]
    [InlineData("2 < 3 and 5 > 4", "2 < 3 and 5 > 4")]
    [InlineData(null, "")]
    public void Converts_html_to_plain_text(string? html, string expected) => Assert.Equal(expected, HtmlText.ToPlainText(html));
}

public sealed class FeedModelTests
{
    [Fact]
    public void Id_is_16_hex_chars_of_the_normalised_url()
    {
        var id = Feed.IdFor("HTTPS://News.Example.TEST:443/Feed.xml?x=1#frag");
        Assert.Equal(Feed.IdFor("https://news.example.test/Feed.xml?x=1"), id);
        Assert.Matches("^[0-9a-f]{16}$", id);
        Assert.NotEqual(Feed.IdFor("https://news.example.test/feed.xml?x=1"), id);
        Assert.Equal("https://news.example.test/Feed.xml?x=1", Feed.NormaliseUrl("HTTPS://News.Example.TEST:443/Feed.xml?x=1#frag"));
    }

    [Theory]
    [InlineData("ftp://example.test/feed")]
    [InlineData("/relative.xml")]
    [InlineData("not a url")]
    public void Only_absolute_http_urls_are_feeds(string url) => Assert.Throws<ArgumentException>(() => Feed.NormaliseUrl(url));

    [Fact]
    public void Backoff_doubles_per_failure_with_jitter_and_a_cap()
    {
        var interval = TimeSpan.FromMinutes(15);
        var max = TimeSpan.FromHours(24);
        Assert.Equal(TimeSpan.FromMinutes(30), FeedBackoff.Delay(interval, 1, max, jitter: 0));
        Assert.Equal(TimeSpan.FromMinutes(60), FeedBackoff.Delay(interval, 2, max, jitter: 0));
        Assert.Equal(TimeSpan.FromMinutes(33), FeedBackoff.Delay(interval, 1, max, jitter: 1));
        Assert.Equal(TimeSpan.FromMinutes(27), FeedBackoff.Delay(interval, 1, max, jitter: -1));
        Assert.Equal(max, FeedBackoff.Delay(interval, 12, max, jitter: 1));
        Assert.Equal(max * 0.9, FeedBackoff.Delay(interval, 1000, max, jitter: -1));
        Assert.Equal(TimeSpan.FromHours(3), FeedBackoff.Delay(interval, 1, max, jitter: 0, retryAfter: TimeSpan.FromHours(3)));
        Assert.Equal(max, FeedBackoff.Delay(interval, 1, max, jitter: 0, retryAfter: TimeSpan.FromDays(9)));
    }
}
