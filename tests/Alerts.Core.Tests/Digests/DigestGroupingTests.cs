using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Digests;

public sealed class DigestGroupingTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 10, 0, 0, TimeSpan.Zero);

    private static DigestItem Item(string key, string title, string link, string feed, int minutes, int hits = 1) => new(
        DigestTestData.Article(key, title: title, link: link, feedTitle: feed, feedId: "feed" + feed.GetHashCode().ToString("x8"), published: T0.AddMinutes(minutes)),
        Enumerable.Range(0, hits).Select(i => new Hit(DocumentField.Title, 0, 1)).ToList());

    [Fact]
    public void The_same_title_from_several_feeds_is_one_story_led_by_the_best_matching_copy()
    {
        var wire = Item("a", "Supreme Court agrees to hear DACA case", "https://wire.example/1", "Wire", 0);
        var paper = Item("b", "Supreme Court agrees to hear DACA case!", "https://paper.example/x", "Paper", 30, hits: 3);
        var other = Item("c", "Senate passes budget bill after long night", "https://paper.example/y", "Paper", 60);

        var groups = DigestGrouping.Group([wire, paper, other]);

        Assert.Equal(2, groups.Count);
        Assert.Same(other, groups[0].Lead); // newest story first
        Assert.Same(paper, groups[1].Lead);
        Assert.Same(wire, Assert.Single(groups[1].Others));
    }

    [Fact]
    public void The_same_link_is_one_story_ignoring_www_scheme_and_tracking_parameters()
    {
        var a = Item("a", "Short", "https://www.news.example/story?id=7&utm_source=rss", "A", 0);
        var b = Item("b", "Different headline", "http://news.example/story/?utm_medium=feed&id=7", "B", 5);
        var c = Item("c", "Short", "https://news.example/story?id=8", "C", 10);

        var groups = DigestGrouping.Group([a, b, c]);

        Assert.Equal(2, groups.Count);
        var merged = groups.Single(g => g.Others.Count == 1);
        Assert.Equal(["a", "b"], merged.Others.Append(merged.Lead).Select(i => i.Article.ItemKey).Order().ToArray());
        Assert.Contains(groups, g => g.Lead == c && g.Others.Count == 0);
    }

    [Fact]
    public void Short_generic_titles_do_not_merge_stories()
    {
        var a = Item("a", "Live updates", "https://one.example/1", "One", 0);
        var b = Item("b", "Live updates", "https://two.example/2", "Two", 1);
        Assert.Equal(2, DigestGrouping.Group([a, b]).Count);
    }

    [Fact]
    public async Task The_digest_lists_a_grouped_story_once_with_the_other_sources()
    {
        var links = DigestTestData.Links();
        var composer = new DigestComposer(Options.Create(DigestTestData.Site), DigestTestData.Writer(DigestTestData.Smtp()), links);
        var wire = Item("a", "Supreme Court agrees to hear DACA case", "https://wire.example/1", "Wire <Service>", 0);
        var paper = Item("b", "Supreme Court agrees to hear DACA case", "javascript:alert(1)", "Paper", 30, hits: 2);
        var s = DigestTestData.Subscription(Frequency.Daily);

        var message = await composer.ComposeAsync(s, "daily-2026-11-26", [wire, paper], T0);

        Assert.Equal("1 new article for \"DACA\"", message.Subject);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(message.HtmlBody ?? "", "upreme Court agrees"));
        Assert.Contains("Also in: ", message.HtmlBody);
        Assert.Contains("Also in: Wire <Service> <https://wire.example/1>", message.TextBody);
        Assert.Contains("Also in: <a href=\"https://wire.example/1\" style=\"color:#6b7280;\">Wire &lt;Service&gt;</a>", message.HtmlBody);
    }
}
