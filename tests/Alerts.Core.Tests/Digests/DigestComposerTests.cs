using System.Text.RegularExpressions;
using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Tests.Digests;

public sealed partial class DigestComposerTests
{
    private static readonly DateTimeOffset Date = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);
    private readonly SubscriptionLinks _links = DigestTestData.Links();

    private DigestComposer Composer(SmtpOptions? smtp = null) =>
        new(Options.Create(DigestTestData.Site), DigestTestData.Writer(smtp), _links);

    private static DigestItem Item(Article article, params Hit[] hits) => new(article, hits);

    private static Hit BodyHit(Article article, string word)
    {
        var body = MatchedText.Body(article);
        var at = body.IndexOf(word, StringComparison.Ordinal);
        Assert.True(at >= 0, $"'{word}' not in body");
        return new Hit(DocumentField.Body, at, word.Length);
    }

    private static Hit TitleHit(Article article, string word) =>
        new(DocumentField.Title, article.Title.IndexOf(word, StringComparison.Ordinal), word.Length);

    [Fact]
    public async Task Carries_rfc8058_list_headers_a_list_id_and_a_stable_message_id()
    {
        var s = DigestTestData.Subscription();
        var items = new[] { Item(DigestTestData.Article("a")) };

        var message = await Composer().ComposeAsync(s, "daily-2026-11-26", items, Date);
        var again = await Composer().ComposeAsync(s, "daily-2026-11-26", items, Date);
        var other = await Composer().ComposeAsync(s, "daily-2026-11-27", items, Date);

        var unsubscribe = message.Headers["List-Unsubscribe"] ?? "";
        var match = UnsubscribeHeader().Match(unsubscribe);
        Assert.True(match.Success, unsubscribe);
        Assert.Equal(s.Id, _links.Tokens.Validate(match.Groups["token"].Value, TokenPurpose.Unsubscribe));
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal("Alerts <digests.alerts.example.org>", message.Headers["List-Id"]);
        Assert.Equal(message.MessageId, again.MessageId);
        Assert.NotEqual(message.MessageId, other.MessageId);
        Assert.EndsWith("@alerts.example.org", message.MessageId);
        Assert.Equal(Date, message.Date);
        Assert.Equal("reader@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("alerts@alerts.example.org", message.From.Mailboxes.Single().Address);
    }

    [Fact]
    public async Task Adds_a_mailto_unsubscribe_when_a_mailbox_is_configured_and_read()
    {
        var s = DigestTestData.Subscription();
        var reader = Options.Create(new UnsubscribeMailboxOptions { ImapHost = "imap.alerts.example.org" });
        var message = await new DigestComposer(Options.Create(DigestTestData.Site), DigestTestData.Writer(DigestTestData.Smtp("unsubscribe@alerts.example.org")), _links, reader)
            .ComposeAsync(s, "daily-2026-11-26", [Item(DigestTestData.Article("a"))], Date);

        var header = (message.Headers["List-Unsubscribe"] ?? "").Replace("\r\n", "").Replace("\n", "");
        Assert.StartsWith("<https://alerts.example.org/unsubscribe?token=", header);
        var mailto = Regex.Match(header, @", <mailto:unsubscribe@alerts\.example\.org\?subject=unsubscribe%20(?<token>[^>]+)>$");
        Assert.True(mailto.Success, header);
        Assert.Equal(s.Id, _links.Tokens.Validate(mailto.Groups["token"].Value, TokenPurpose.Unsubscribe));
    }

    [Fact]
    public async Task No_mailto_unsubscribe_when_nothing_reads_the_mailbox()
    {
        var message = await Composer(DigestTestData.Smtp("unsubscribe@alerts.example.org"))
            .ComposeAsync(DigestTestData.Subscription(), "daily-2026-11-26", [Item(DigestTestData.Article("a"))], Date);

        Assert.DoesNotContain("mailto:", message.Headers["List-Unsubscribe"] ?? "");
    }

    [Fact]
    public async Task Round_trips_through_mime_with_the_same_headers()
    {
        var s = DigestTestData.Subscription();
        var message = await Composer().ComposeAsync(s, "daily-2026-11-26", [Item(DigestTestData.Article("a"))], Date);

        using var stream = new MemoryStream();
        message.WriteTo(stream);
        stream.Position = 0;
        var parsed = MimeMessage.Load(stream);

        Assert.Equal("List-Unsubscribe=One-Click", parsed.Headers["List-Unsubscribe-Post"]);
        Assert.Equal(message.MessageId, parsed.MessageId);
        Assert.Matches(UnsubscribeHeader(), parsed.Headers["List-Unsubscribe"]);
    }

    [Theory]
    [InlineData(1, "1 new article for \"DACA\"")]
    [InlineData(3, "3 new articles for \"DACA\"")]
    public async Task Subject_counts_the_articles(int count, string subject)
    {
        var items = Enumerable.Range(0, count).Select(i => Item(DigestTestData.Article("item" + i))).ToList();
        Assert.Equal(subject, (await Composer().ComposeAsync(DigestTestData.Subscription(), "daily-2026-11-26", items, Date)).Subject);
    }

    [Fact]
    public async Task Subject_prefers_the_label()
    {
        var s = DigestTestData.Subscription() with { Label = "Immigration news" };
        Assert.Equal("1 new article for \"Immigration news\"",
            (await Composer().ComposeAsync(s, "daily-2026-11-26", [Item(DigestTestData.Article("a"))], Date)).Subject);
    }

    [Fact]
    public async Task Is_multipart_alternative_with_text_and_html_and_a_footer_with_both_links()
    {
        var s = DigestTestData.Subscription();
        var message = await Composer().ComposeAsync(s, "daily-2026-11-26", [Item(DigestTestData.Article("a"))], Date);

        var body = Assert.IsType<MultipartAlternative>(message.Body);
        Assert.Equal(["text/plain", "text/html"], body.Select(p => p.ContentType.MimeType).ToArray());
        Assert.Contains("Unsubscribe: https://alerts.example.org/unsubscribe?token=", message.TextBody);
        Assert.Contains("Manage your alerts (time, sites, pause, export): https://alerts.example.org/manage?token=", message.TextBody);
        Assert.Contains("href=\"https://alerts.example.org/unsubscribe?token=", message.HtmlBody);
        Assert.Contains("href=\"https://alerts.example.org/manage?token=", message.HtmlBody);
        Assert.Contains("<table", message.HtmlBody);
        Assert.DoesNotContain("<link", message.HtmlBody);
        Assert.DoesNotContain("<style", message.HtmlBody);
    }

    [Fact]
    public async Task Shows_title_link_feed_and_time_in_the_subscribers_zone()
    {
        var article = DigestTestData.Article("a", published: new DateTimeOffset(2026, 11, 26, 13, 30, 0, TimeSpan.Zero));
        var ny = await Composer().ComposeAsync(DigestTestData.Subscription(timeZone: "America/New_York"), "daily-2026-11-26", [Item(article)], Date);
        var berlin = await Composer().ComposeAsync(DigestTestData.Subscription(timeZone: "Europe/Berlin"), "daily-2026-11-26", [Item(article)], Date);

        Assert.Contains("Thu 26 Nov 2026, 08:30 UTC-05:00", ny.HtmlBody);
        Assert.Contains("Thu 26 Nov 2026, 08:30 UTC-05:00", ny.TextBody);
        Assert.Contains("Thu 26 Nov 2026, 14:30 UTC+01:00", System.Net.WebUtility.HtmlDecode(berlin.HtmlBody));
        Assert.Contains("Example News", ny.HtmlBody);
        Assert.Contains("<a href=\"https://news.example.com/a\"", ny.HtmlBody);
        Assert.Contains("https://news.example.com/a", ny.TextBody);
    }

    [Fact]
    public async Task Hostile_feed_content_is_rendered_harmless()
    {
        var article = DigestTestData.Article(
            "evil",
            title: "<script>alert('t')</script>DACA <b onmouseover=\"steal()\">bold</b>",
            summary: "Look <img src=\"https://tracker.example/pixel.gif\" width=1 height=1> and <img src=x onerror=\"alert(1)\"> DACA",
            content: "<iframe src=\"https://evil.example\"></iframe><a href=\"javascript:alert(2)\">click</a>",
            link: "javascript:alert(document.cookie)",
            feedTitle: "<style>body{display:none}</style>Feed\" onclick=\"x");
        var safe = DigestTestData.Article("safe", title: "Fine", link: "https://ok.example/\"onmouseover=\"x");
        var data = DigestTestData.Article("data", title: "Data link", link: "data:text/html,<script>alert(3)</script>");

        var html = (await Composer().ComposeAsync(DigestTestData.Subscription(), "daily-2026-11-26",
            [Item(article, TitleHit(article, "DACA"), BodyHit(article, "DACA")), Item(safe), Item(data)], Date)).HtmlBody ?? "";

        var tags = TagName().Matches(html).Select(m => m.Groups[1].Value.ToLowerInvariant()).ToHashSet();
        Assert.Subset(new HashSet<string> { "!doctype", "html", "head", "meta", "title", "body", "table", "tr", "td", "div", "span", "a", "mark", "br" }, tags);
        Assert.DoesNotMatch(EventAttribute(), html);
        foreach (Match href in Href().Matches(html))
            Assert.Matches("^https?://", href.Groups[1].Value);
        Assert.DoesNotContain("javascript:alert(document.cookie)\"", html);
        // The unsafe link is shown as inert text, the quote in the safe one stays inside the attribute.
        Assert.Contains("javascript:alert(document.cookie)", html);
        Assert.Contains("href=\"https://ok.example/%22onmouseover=%22x\"", html);
        Assert.Contains("&lt;script&gt;alert(&#x27;t&#x27;)&lt;/script&gt;", html);
    }

    [Fact]
    public async Task Highlights_the_matched_words_in_title_and_snippet()
    {
        var article = DigestTestData.Article("a", title: "Court rules on DACA", summary: "Judges said DACA recipients may stay.");
        var message = await Composer().ComposeAsync(DigestTestData.Subscription(), "daily-2026-11-26",
            [Item(article, TitleHit(article, "DACA"), BodyHit(article, "recipients"))], Date);

        Assert.Contains("Court rules on <mark style=", message.HtmlBody);
        Assert.Matches(@"<mark[^>]*>DACA</mark></a>", message.HtmlBody);
        Assert.Matches(@"Judges said DACA <mark[^>]*>recipients</mark> may stay\.", message.HtmlBody);
        Assert.Contains("Court rules on *DACA*", message.TextBody);
        Assert.Contains("Judges said DACA *recipients* may stay.", message.TextBody);
        // Only the hit ranges are marked: the unmatched DACA in the summary is plain.
        Assert.Equal(2, Regex.Matches(message.HtmlBody ?? "", "<mark").Count);
    }

    [Fact]
    public void The_snippet_is_a_window_around_the_first_hit_deep_in_the_content()
    {
        var filler = string.Concat(Enumerable.Repeat("lorem ipsum dolor ", 60));
        var article = DigestTestData.Article("long", summary: "A summary without the word.",
            content: filler + "the DACA ruling was announced " + filler);
        var hit = BodyHit(article, "DACA");

        var snippet = MatchedText.Snippet(article, [hit]);
        var text = string.Concat(snippet.Select(r => r.Text));

        Assert.Equal(("DACA", true), snippet.Single(r => r.Hit));
        Assert.StartsWith("…", text);
        Assert.EndsWith("…", text);
        Assert.InRange(text.Length, 200, MatchedText.SnippetLength + 2);
        Assert.DoesNotContain("A summary", text);
        // Cut at word boundaries: no half words after the ellipsis.
        Assert.Matches(@"^…(lorem|ipsum|dolor) ", text);
    }

    [Fact]
    public async Task Offsets_past_the_stored_text_are_ignored_rather_than_throwing()
    {
        var article = DigestTestData.Article("a", summary: "Short.");
        var message = await Composer().ComposeAsync(DigestTestData.Subscription(), "daily-2026-11-26",
            [Item(article, new Hit(DocumentField.Body, 5000, 4), new Hit(DocumentField.Title, 3, 500))], Date);
        Assert.Contains("Short.", message.TextBody);
        Assert.Contains("Cou*rt rules on DACA*", message.TextBody);
    }

    [Fact]
    public void MatchText_body_is_summary_newline_content()
    {
        var article = DigestTestData.Article("a", summary: "S", content: "C");
        Assert.Equal("S\nC", MatchedText.Body(article));
    }

    [GeneratedRegex(@"^<https://alerts\.example\.org/unsubscribe\?token=(?<token>[A-Za-z0-9_\-\.]+)>$")]
    private static partial Regex UnsubscribeHeader();

    [GeneratedRegex(@"<\s*/?\s*([A-Za-z0-9!]+)")]
    private static partial Regex TagName();

    [GeneratedRegex(@"<[^>]*\son[a-z]+\s*=", RegexOptions.IgnoreCase)]
    private static partial Regex EventAttribute();

    [GeneratedRegex("href=\"([^\"]*)\"")]
    private static partial Regex Href();
}
