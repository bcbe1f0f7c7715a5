using System.Net;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// A real-world, ill-formed feed through the whole local host: undeclared HTML entities, a bare '&amp;', an
/// undeclared dc: prefix and relative links. It used to be refused whole ("Not a readable feed"); now its stories
/// are stored, matched and mailed, with their byline, and the repairs are noted on the feed's health row.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class IllFormedFeedTests(AzuriteFixture azurite)
{
    private const string Feed = """
        <?xml version="1.0" encoding="utf-8"?>
        <rss version="2.0"><channel><title>Border&nbsp;Desk</title><link>/</link><description>News &amp; more</description>
        <item><title>DACA renewals reopen&nbsp;&mdash; what&rsquo;s next</title><link>/2026/daca-renewals?src=rss&utm=feed</link>
          <guid isPermaLink="false">border-1</guid><dc:creator>Jane Doe</dc:creator>
          <description>Applicants&nbsp;can file again&hellip; Q&A inside.</description><pubDate>Mon, 02 Mar 2026 07:30:00 GMT</pubDate></item>
        <item><title>Weather&nbsp;update</title><link>/2026/weather</link><guid isPermaLink="false">border-2</guid>
          <description>Rain&hellip;</description></item>
        </channel></rss>
        """;

    [Fact]
    public async Task A_feed_with_nbsp_and_other_undeclared_entities_delivers_its_alerts()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Instant);

        host.Feeds.Respond("/border.xml", 200, Feed, contentType: "application/rss+xml");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/border.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();

        var feedId = Alerts.Core.Feeds.Feed.IdFor(host.Feeds.Url("/border.xml"));
        var articles = new List<Article>();
        await foreach (var article in host.Service<ArticleStore>().ListByFeedAsync(feedId))
            articles.Add(article);
        Assert.Equal(2, articles.Count);
        var daca = Assert.Single(articles, a => a.Title.Contains("DACA", StringComparison.Ordinal));
        Assert.Equal("DACA renewals reopen \u2014 what\u2019s next", daca.Title);
        Assert.Equal("Applicants can file again\u2026 Q&A inside.", daca.Summary);
        Assert.Equal(host.Feeds.Url("/2026/daca-renewals?src=rss&utm=feed"), daca.Link);
        Assert.Equal("Jane Doe", daca.Author);

        var saved = await host.Service<FeedStore>().GetAsync(feedId);
        Assert.NotNull(saved);
        Assert.Null(saved.LastError);
        Assert.Equal("Border Desk", saved.Title);
        Assert.Contains("undeclared entities repaired", saved.LastRepairs, StringComparison.Ordinal);

        var alert = await host.EmailToAsync(subscription.Email);
        Assert.Contains("renewals reopen \u2014 what\u2019s next", alert.TextBody); // the hit itself is highlighted (*DACA*)
        Assert.Contains("by Jane Doe", alert.TextBody);
        Assert.Contains(WebUtility.HtmlEncode(daca.Link), alert.HtmlBody);
        Assert.DoesNotContain("Weather", alert.TextBody);
        Assert.Single(await host.Service<MatchStore>().ListAsync(subscription.Id));
    }
}
