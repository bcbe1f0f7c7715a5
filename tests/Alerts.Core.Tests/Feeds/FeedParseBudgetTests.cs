using System.Text;
using Alerts.Core.Feeds;
using Alerts.Core.Feeds.Parsing;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>The per-document time budget stops a parse, and the feed's health row says so.</summary>
[Collection(StorageCollection.Name)]
public sealed class FeedParseBudgetTests(AzuriteFixture azurite)
{
    /// <summary>About four megabytes that take the repair pass its longest per byte (end tags that close nothing).</summary>
    private static string Hostile() =>
        "<rss version=\"2.0\"><channel><title>h</title><item><title>t</title>" + string.Concat(Enumerable.Repeat("<a>", 60))
        + string.Concat(Enumerable.Repeat("</b>", 1_000_000)) + "</item></channel></rss>";

    [Fact]
    public void A_cancelled_parse_stops_with_a_clear_error()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        var ok = new FeedParser().TryParse(Encoding.UTF8.GetBytes(Hostile()), null, null, 200, cancelled.Token, out var feed, out var error);

        Assert.False(ok);
        Assert.Null(feed);
        Assert.Equal("Not a readable feed: Parse cancelled", error);
    }

    [Fact]
    public void A_parse_over_its_time_budget_stops_with_a_clear_error()
    {
        var parser = new FeedParser(FeedParseLimits.Default with { TimeBudget = TimeSpan.FromMilliseconds(1) });
        Assert.False(parser.TryParse(Encoding.UTF8.GetBytes(Hostile()), 200, out _, out var error));
        Assert.Equal("Not a readable feed: Parse took longer than its budget of 1 ms", error);
    }

    [Fact]
    public async Task A_document_over_the_budget_is_a_parse_error_on_its_feed_and_the_healthy_feed_is_stored()
    {
        await using var server = await TestFeedServer.StartAsync();
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:ParseTimeBudget"] = "00:00:00.050",
        });
        server.Respond("/hostile.xml", 200, Hostile(), contentType: "application/rss+xml");
        server.SetFeed("/good.xml").AddItem("Fine", "https://good.test/1", "fine");
        var hostile = await host.AddFeedAsync(server.Url("/hostile.xml"));
        var good = await host.AddFeedAsync(server.Url("/good.xml"));

        await host.Fetch.HandleAsync(new FeedFetchMessage(hostile.Id, [good.Id]), CancellationToken.None);

        var saved = await host.GetFeedAsync(hostile.Id);
        Assert.Equal(FeedErrorKind.NotAFeed, saved.LastErrorKind);
        Assert.Contains("longer than its budget of 50 ms", saved.LastError, StringComparison.Ordinal);
        Assert.Empty(await host.ArticlesAsync(hostile));
        Assert.Single(await host.ArticlesAsync(good));
        Assert.Null((await host.GetFeedAsync(good.Id)).LastError);
    }
}
