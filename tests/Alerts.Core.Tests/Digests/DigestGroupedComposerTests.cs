using System.Text.RegularExpressions;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Digests;

/// <summary>One email for several subscriptions of one address: a section each, shared articles once.</summary>
public sealed class DigestGroupedComposerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);
    // A stopped clock: a link's token carries its issue time, so the composer's link and the one the test builds agree.
    private readonly SubscriptionLinks _links = DigestTestData.Links(new Microsoft.Extensions.Time.Testing.FakeTimeProvider(T0));

    private DigestComposer Composer() => new(Options.Create(DigestTestData.Site), DigestTestData.Writer(), _links);

    private static DigestItem Item(string key, string title, int minutes = 0) => new(
        DigestTestData.Article(key, title: title, summary: $"Body of {key}.", link: $"https://news.example.com/{key}", published: T0.AddMinutes(minutes)),
        [new Hit(DocumentField.Title, 0, 4)]);

    [Fact]
    public async Task An_article_matching_two_queries_is_shown_once_in_the_first_section_with_the_other_query_noted()
    {
        var daca = DigestTestData.Subscription(query: "DACA");
        var court = DigestTestData.Subscription(query: "supreme court") with { Label = "Court watch" };
        var shared = Item("shared", "DACA case reaches the supreme court", 1);
        var dacaOnly = Item("daca1", "DACA renewals reopen", 2);
        var courtOnly = Item("court1", "Supreme court hears tax case", 3);

        var message = await Composer().ComposeAsync(daca.Id, [new DigestSection(daca, [shared, dacaOnly]), new DigestSection(court, [courtOnly, shared])],
            "daily-2026-11-26", T0);

        Assert.Equal("3 new articles for \"DACA\" and \"Court watch\"", message.Subject);
        var html = message.HtmlBody ?? "";
        var text = message.TextBody ?? "";
        Assert.Single(Regex.Matches(html, Regex.Escape("https://news.example.com/shared\"")));
        Assert.Single(Regex.Matches(text, Regex.Escape("https://news.example.com/shared")));
        Assert.Contains("Also matches: &quot;Court watch&quot;", html);
        Assert.Contains("Also matches: \"Court watch\"", text);
        // Sections in order, each with its own heading; the shared article sits under the first.
        var dacaSection = text.IndexOf("== DACA (2 articles) ==", StringComparison.Ordinal);
        var courtSection = text.IndexOf("== Court watch (1 article) ==", StringComparison.Ordinal);
        Assert.True(dacaSection >= 0 && courtSection > dacaSection, text);
        Assert.True(text.IndexOf("https://news.example.com/shared", StringComparison.Ordinal) < courtSection);
        Assert.True(text.IndexOf("https://news.example.com/court1", StringComparison.Ordinal) > courtSection);
        Assert.Contains("alerts for \"DACA\", \"supreme court\".", text);
        // Message-ID from the digest's own row (the lead), so a retry is the same message.
        Assert.Equal(DigestComposer.MessageIdFor(daca.Id, "daily-2026-11-26", DigestTestData.Smtp().EffectiveListIdDomain), message.MessageId);
    }

    [Fact]
    public async Task One_click_unsubscribe_names_the_whole_email_and_the_footer_links_every_alert()
    {
        var a = DigestTestData.Subscription(query: "DACA");
        var b = DigestTestData.Subscription(query: "asylum");
        var message = await Composer().ComposeAsync(a.Id, [new DigestSection(a, [Item("x", "DACA x")]), new DigestSection(b, [Item("y", "asylum y")])],
            "daily-2026-11-26", T0);

        var header = message.Headers["List-Unsubscribe"] ?? "";
        var url = Regex.Match(header, "<(https[^>]+)>").Groups[1].Value;
        var token = Uri.UnescapeDataString(new Uri(url).Query.Split("token=")[1]);
        // The email's send record (lead and digest key), so a one-click POST stops every alert the email carried.
        Assert.Equal(EmailUnsubscribe.Subject(a.Id, "daily-2026-11-26"), _links.Tokens.Validate(token, TokenPurpose.Unsubscribe));
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        foreach (var s in new[] { a, b })
        {
            Assert.Contains($"Unsubscribe from \"{s.Query}\": " + _links.Unsubscribe(s.Id), message.TextBody);
            Assert.Contains(System.Net.WebUtility.HtmlEncode(_links.Unsubscribe(s.Id)), message.HtmlBody);
        }
    }

    [Fact]
    public async Task Each_subscription_cap_applies_within_its_own_section()
    {
        var capped = DigestTestData.Subscription(query: "DACA") with { MaxItems = 1 };
        var open = DigestTestData.Subscription(query: "asylum");
        var dacaItems = Enumerable.Range(1, 3).Select(n => Item($"d{n}", $"DACA story {n}", n)).ToList();
        var asylumItems = Enumerable.Range(1, 3).Select(n => Item($"a{n}", $"asylum story {n}", n)).ToList();

        var message = await Composer().ComposeAsync(capped.Id, [new DigestSection(capped, dacaItems), new DigestSection(open, asylumItems)], "daily-2026-11-26", T0);

        Assert.StartsWith("6 new articles for", message.Subject);
        var html = message.HtmlBody ?? "";
        // DACA: one in full, two in its "more" list; asylum: all three in full.
        Assert.Equal(4, Regex.Matches(html, "Body of [da]\\d").Count);
        Assert.Single(Regex.Matches(html, "Body of d\\d"));
        Assert.Equal(3, Regex.Matches(html, "Body of a\\d").Count);
        Assert.Single(Regex.Matches(html, ">2 more</div>"));
        Assert.Contains("2 more:", message.TextBody);
        foreach (var n in Enumerable.Range(1, 3))
        {
            Assert.Contains($"https://news.example.com/d{n}", html);
            Assert.Contains($"https://news.example.com/a{n}", html);
        }
    }

    [Fact]
    public async Task A_section_whose_articles_all_appear_earlier_is_left_out_but_noted()
    {
        var a = DigestTestData.Subscription(query: "DACA");
        var b = DigestTestData.Subscription(query: "dreamers");
        var shared = Item("s", "DACA dreamers ruling");

        var message = await Composer().ComposeAsync(a.Id, [new DigestSection(a, [shared]), new DigestSection(b, [shared])], "daily-2026-11-26", T0);

        Assert.Equal("1 new article for \"DACA\" and \"dreamers\"", message.Subject);
        Assert.DoesNotContain("== dreamers", message.TextBody);
        Assert.Contains("Also matches: \"dreamers\"", message.TextBody);
    }
}
