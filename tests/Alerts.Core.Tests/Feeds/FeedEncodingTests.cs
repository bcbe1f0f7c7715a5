using System.Text;
using Alerts.Core.Feeds;

namespace Alerts.Core.Tests.Feeds;

public sealed class FeedEncodingTests
{
    private const string Title = "Grüße “quoted” – Ærø";

    static FeedEncodingTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    private static string Rss(string? encoding, string title = Title) =>
        $"""<?xml version="1.0"{(encoding is null ? "" : $" encoding=\"{encoding}\"")}?><rss version="2.0"><channel><title>T</title><item><title>{title}</title><link>https://f.test/1</link><pubDate>Mon, 02 Mar 2026 08:00:00 GMT</pubDate></item></channel></rss>""";

    public static TheoryData<string, byte[], string?> Documents => new()
    {
        { "UTF-8 with BOM", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Rss("utf-8"))], null },
        { "UTF-16 LE with BOM", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes(Rss("utf-16"))], null },
        { "UTF-16 BE with BOM", [0xFE, 0xFF, .. Encoding.BigEndianUnicode.GetBytes(Rss("utf-16"))], null },
        { "UTF-16 LE without BOM", Encoding.Unicode.GetBytes(Rss("utf-16")), null },
        { "Windows-1252 from the prolog", Encoding.GetEncoding(1252).GetBytes(Rss("windows-1252")), null },
        { "ISO-8859-1 label with 1252 bytes", Encoding.GetEncoding(1252).GetBytes(Rss("ISO-8859-1")), null },
        { "HTTP charset when the prolog has none", Encoding.GetEncoding(1252).GetBytes(Rss(null)), "application/rss+xml; charset=windows-1252" },
        { "prolog wins over a wrong HTTP charset", Encoding.GetEncoding(1252).GetBytes(Rss("windows-1252")), "text/xml; charset=utf-8" },
        { "BOM wins over a wrong prolog", [0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes(Rss("iso-8859-1"))], "text/xml; charset=iso-8859-1" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Text_is_decoded_by_bom_then_prolog_then_http_charset(string _, byte[] body, string? contentType)
    {
        Assert.True(new FeedParser().TryParse(body, contentType, 10, out var feed, out var error), error);
        Assert.Equal(Title, Assert.Single(feed.Items).Title);
    }

    [Fact]
    public void Stray_windows_1252_bytes_in_a_utf8_document_are_repaired_not_lost()
    {
        var utf8 = Encoding.UTF8.GetBytes(Rss("utf-8", "Grüße PLACEHOLDER"));
        var marker = Encoding.ASCII.GetBytes("PLACEHOLDER");
        var at = utf8.AsSpan().IndexOf(marker);
        byte[] body = [.. utf8[..at], 0x93, (byte)'h', (byte)'i', 0x94, .. utf8[(at + marker.Length)..]];

        Assert.True(new FeedParser().TryParse(body, null, 10, out var feed, out var error), error);
        Assert.Equal("Grüße “hi”", Assert.Single(feed.Items).Title);
    }

    [Theory]
    [InlineData("2026-03-02 08:15:00", "2026-03-02T08:15:00+00:00")]
    [InlineData("2026-03-02T08:15", "2026-03-02T08:15:00+00:00")]
    [InlineData("2 Mar 2026 08:15:00 CEST", "2026-03-02T08:15:00+00:00")]
    [InlineData("Monday, 2 March 2026 08:15:00", "2026-03-02T08:15:00+00:00")]
    [InlineData("Mar 2, 2026", "2026-03-02T00:00:00+00:00")]
    [InlineData("2026-03-02 10:15:00 +02:00", "2026-03-02T08:15:00+00:00")]
    [InlineData("soon", null)]
    [InlineData("", null)]
    public void Broken_dates_are_read_in_utc_or_left_for_first_seen(string raw, string? expected) =>
        Assert.Equal(expected is null ? null : DateTimeOffset.Parse(expected), FeedDates.TryParse(raw));
}
