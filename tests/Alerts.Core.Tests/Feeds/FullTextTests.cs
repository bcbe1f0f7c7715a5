using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// Full text for summary-only feeds through the real fetch path: each new item's page is fetched once, through the
/// same guard, throttle and limits as feeds, its article extracted and stored as the article's content.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class FullTextTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const string Sentence = "Ships bound for the spice harbour of Zanzibar will be diverted while the quays are rebuilt.";

    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private async Task<Feed> SummaryOnlyFeedAsync(FeedTestHost host, FullTextMode mode, string pagePath, string summary = "Port works begin.")
    {
        _server.SetFeed("/feed.xml", "Harbour News").AddItem("Port works begin", _server.Url(pagePath), summary);
        var feed = await host.AddFeedAsync(_server.Url("/feed.xml"));
        await host.Feeds.UpdateAsync(feed.Id, f => f with { FullText = mode });
        return feed;
    }

    [Theory]
    [InlineData(FullTextMode.On)]
    [InlineData(FullTextMode.Auto)]
    public async Task A_summary_only_item_is_stored_with_its_pages_article_text_fetched_once(FullTextMode mode)
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Respond("/story.html", 200, ArticlePage.Story("Port works begin", Sentence));
        var feed = await SummaryOnlyFeedAsync(host, mode, "/story.html");

        await host.FetchAsync(feed);
        // Redelivered, and fetched again with a changed document: the stored item's page is not fetched again.
        await host.FetchAsync(feed);
        _server.Touch("/feed.xml");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);

        var article = Assert.Single(await host.ArticlesAsync(feed));
        Assert.Equal("Port works begin.", article.Summary);
        Assert.Contains(Sentence, article.Content);
        Assert.DoesNotContain("Privacy", article.Content); // the article, not the page's chrome
        Assert.Equal(1, _server.RequestCount("/story.html"));
        Assert.Single(await host.MatchMessagesAsync());
        Assert.Equal(0, (await host.GetFeedAsync(feed.Id)).ConsecutiveFailures);
    }

    [Fact]
    public async Task Auto_leaves_an_item_with_a_full_summary_alone_and_off_never_fetches()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Respond("/story.html", 200, ArticlePage.Story("Port works begin", Sentence));
        var longSummary = string.Join(' ', Enumerable.Repeat("The port authority reviewed the schedules.", 10)); // 60 words
        var auto = await SummaryOnlyFeedAsync(host, FullTextMode.Auto, "/story.html", longSummary);
        await host.FetchAsync(auto);
        Assert.Equal(0, _server.RequestCount("/story.html"));
        Assert.Equal("", Assert.Single(await host.ArticlesAsync(auto)).Content);

        _server.SetFeed("/off.xml").AddItem("Short", _server.Url("/story.html"), "Short.");
        var off = await host.AddFeedAsync(_server.Url("/off.xml"));
        await host.FetchAsync(off);
        Assert.Equal(0, _server.RequestCount("/story.html"));
    }

    [Fact]
    public async Task A_page_on_a_forbidden_address_is_refused_by_the_guard_and_the_item_keeps_its_summary()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        // The feed's host is allowed (loopback, in tests); its item's page redirects to the cloud metadata address.
        _server.Redirect("/story.html", 302, "http://169.254.169.254/latest/meta-data/");
        var feed = await SummaryOnlyFeedAsync(host, FullTextMode.On, "/story.html");

        await host.FetchAsync(feed);

        var article = Assert.Single(await host.ArticlesAsync(feed));
        Assert.Equal("", article.Content);
        Assert.Equal("Port works begin.", article.Summary);
        Assert.Equal(1, _server.RequestCount("/story.html"));
        Assert.Equal(0, (await host.GetFeedAsync(feed.Id)).ConsecutiveFailures);
        Assert.Single(await host.MatchMessagesAsync());
    }

    [Fact]
    public async Task Without_allow_loopback_a_page_on_loopback_is_refused_before_any_request()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?> { ["Feeds:AllowLoopback"] = "false" });
        _server.Respond("/story.html", 200, ArticlePage.Story("Port works begin", Sentence));
        var fullText = host.Service<ArticleFullText>();
        var feed = Feed.Create("https://news.test/feed.xml", host.Time.GetUtcNow(), TimeSpan.FromMinutes(15));

        Assert.Null(await fullText.FetchAsync(feed, _server.Url("/story.html"), CancellationToken.None));
        Assert.Equal(0, _server.RequestCount("/story.html"));
    }

    [Fact]
    public async Task A_page_over_the_size_cap_or_past_the_timeout_is_skipped_without_failing_the_feed()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?> { ["Feeds:MaxPageBytes"] = "20000" });
        var padding = Enumerable.Repeat("Filler text about nothing in particular, repeated to make the page large.", 400).ToArray();
        _server.Respond("/big.html", new ScriptedResponse(200, System.Text.Encoding.UTF8.GetBytes(ArticlePage.Html("Big", [Sentence, .. padding])), SendContentLength: false));
        _server.Respond("/slow.html", 200, ArticlePage.Story("Slow", Sentence), delay: TimeSpan.FromSeconds(30));
        var rss = _server.SetFeed("/feed.xml");
        rss.AddItem("Big page", _server.Url("/big.html"), "Big.");
        rss.AddItem("Slow page", _server.Url("/slow.html"), "Slow.");
        var feed = await host.AddFeedAsync(_server.Url("/feed.xml"));
        await host.Feeds.UpdateAsync(feed.Id, f => f with { FullText = FullTextMode.On });

        var clock = System.Diagnostics.Stopwatch.StartNew();
        await host.FetchAsync(feed);

        Assert.InRange(clock.Elapsed, TimeSpan.Zero, host.Options.Timeout + TimeSpan.FromSeconds(3));
        var articles = await host.ArticlesAsync(feed);
        Assert.Equal(2, articles.Count);
        Assert.All(articles, a => Assert.Equal("", a.Content));
        Assert.Equal(0, (await host.GetFeedAsync(feed.Id)).ConsecutiveFailures);
        Assert.Equal(2, (await host.MatchMessagesAsync()).Count);
    }

    [Fact]
    public async Task A_long_article_is_stored_capped_within_table_storage_limits_without_splitting_a_character()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        // About 120,000 characters of story: four times the cap, far over Table Storage's 64 KB per property.
        var paragraphs = Enumerable.Range(0, 800).Select(i => $"Paragraph {i} of the harbour story, with a \U0001F6A2 ship in it, told at length.").ToArray();
        _server.Respond("/long.html", 200, ArticlePage.Html("Long story", [Sentence, .. paragraphs]));
        var feed = await SummaryOnlyFeedAsync(host, FullTextMode.On, "/long.html");

        await host.FetchAsync(feed);

        var content = Assert.Single(await host.ArticlesAsync(feed)).Content;
        Assert.StartsWith(Sentence, content); // the story from its start (the headline is the item's title)
        Assert.InRange(content.Length, 29_000, 30_000);
        Assert.False(char.IsHighSurrogate(content[^1]), "The cap split a surrogate pair.");
    }

    [Fact]
    public async Task The_article_cap_never_leaves_half_a_surrogate_pair()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var article = new Article("00ff00ff00ff00ff", "k1", "T", "https://f.test/1", "s", new string('a', 29_999) + "\U0001F6A2 and more",
            host.Time.GetUtcNow(), host.Time.GetUtcNow(), "F", "f.test");

        Assert.True(await host.Articles.TryAddAsync(article));

        Assert.Equal(new string('a', 29_999), (await host.Articles.GetAsync(article.Id))!.Content);
    }

    [Fact]
    public async Task Page_fetches_keep_to_the_per_host_concurrency_limit_like_feeds()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "2",
            ["Feeds:MinHostGap"] = "00:00:00.100",
        });
        var rss = _server.SetFeed("/feed.xml");
        for (var i = 0; i < 6; i++)
        {
            _server.Respond($"/story{i}.html", 200, ArticlePage.Story($"Story {i}", Sentence), delay: TimeSpan.FromMilliseconds(300));
            rss.AddItem($"Story {i}", _server.Url($"/story{i}.html"), "Short.");
        }
        var feed = await host.AddFeedAsync(_server.Url("/feed.xml"));
        await host.Feeds.UpdateAsync(feed.Id, f => f with { FullText = FullTextMode.On });
        _server.ResetConcurrency();

        await host.FetchAsync(feed);

        // Six slow pages at once would be six in flight; the host's limit holds them to two. (The gap between starts is
        // the same throttle, asserted for feeds by the polling tests; arrival times are too noisy on a loaded machine.)
        Assert.InRange(_server.MaxConcurrency, 1, 2);
        Assert.Equal(7, _server.AllRequests.Count); // the feed, then each page once
        Assert.All(await host.ArticlesAsync(feed), a => Assert.Contains(Sentence, a.Content));
    }
}
