using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Digests;

/// <summary>The subscriber's cap: that many stories in full, the rest listed by title with their links.</summary>
public sealed class DigestCapTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    private static DigestItem Item(int n) => new(
        DigestTestData.Article($"item{n:00}", title: $"DACA story number {n:00} with a long enough title", summary: $"Body text {n} about DACA.",
            link: $"https://news.example.com/{n}", published: T0.AddMinutes(n)),
        [new Hit(DocumentField.Title, 0, 4)]);

    [Fact]
    public async Task Over_the_cap_the_rest_are_listed_by_title_with_links_and_the_subject_counts_them_all()
    {
        var composer = new DigestComposer(Options.Create(DigestTestData.Site), DigestTestData.Writer(DigestTestData.Smtp()), DigestTestData.Links());
        var s = DigestTestData.Subscription() with { MaxItems = 2 };
        var items = Enumerable.Range(1, 5).Select(Item).ToList();

        var message = await composer.ComposeAsync(s, "daily-2026-11-26", items, T0);

        Assert.Equal("5 new articles for \"DACA\"", message.Subject);
        var html = message.HtmlBody ?? "";
        // The newest two in full (with snippet), the older three in the "more" list, none lost.
        Assert.Equal(2, System.Text.RegularExpressions.Regex.Matches(html, "Body text \\d").Count);
        Assert.Contains(">3 more</div>", html);
        foreach (var n in Enumerable.Range(1, 5))
            Assert.Contains($"https://news.example.com/{n}", html);
        Assert.Contains("3 more:", message.TextBody);
        Assert.Contains("- DACA story number 01 with a long enough title <https://news.example.com/1> (Example News)", message.TextBody);
    }

    [Fact]
    public async Task Under_the_cap_or_without_one_every_story_is_in_full()
    {
        var composer = new DigestComposer(Options.Create(DigestTestData.Site), DigestTestData.Writer(DigestTestData.Smtp()), DigestTestData.Links());
        var items = Enumerable.Range(1, 3).Select(Item).ToList();

        foreach (var s in new[] { DigestTestData.Subscription(), DigestTestData.Subscription() with { MaxItems = 3 } })
        {
            var html = (await composer.ComposeAsync(s, "daily-2026-11-26", items, T0)).HtmlBody ?? "";
            Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(html, "Body text \\d").Count);
            Assert.DoesNotContain(" more</div>", html);
        }
    }
}
