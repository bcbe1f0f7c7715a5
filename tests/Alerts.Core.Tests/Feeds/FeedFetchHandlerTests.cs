using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

[Collection(StorageCollection.Name)]
public sealed class FeedFetchHandlerTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private RssBuilder ServeThreeItems(string path)
    {
        var feed = _server.SetFeed(path, new RssBuilder("Example News", "https://news.example.test/"));
        feed.AddItem("First", "https://news.example.test/1", "<p>One</p>", FeedTestHost.Start.AddHours(-3));
        feed.AddItem("Second", "https://news.example.test/2", "<p>Two</p>", FeedTestHost.Start.AddHours(-2));
        feed.AddItem("Third", "https://news.example.test/3",
            "<p>Hello <b>world</b> &amp; co</p><script>alert('x')</script>\n\n<style>p{}</style> end",
            new DateTimeOffset(2026, 3, 1, 9, 30, 0, TimeSpan.FromHours(2)));
        return feed;
    }

    [Fact]
    public async Task First_fetch_stores_every_item_and_queues_one_match_message_each()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        ServeThreeItems("/a.xml");
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));

        await host.FetchAsync(feed);

        var articles = await host.ArticlesAsync(feed);
        Assert.Equal(3, articles.Count);
        var messages = await host.MatchMessagesAsync();
        Assert.Equal(articles.Select(a => a.Id).Order(), messages.Select(m => m.ArticleId).Order());

        var third = Assert.Single(articles, a => a.Title == "Third");
        Assert.Equal("Hello world & co end", third.Summary);
        Assert.Equal("https://news.example.test/3", third.Link);
        Assert.Equal(new DateTimeOffset(2026, 3, 1, 7, 30, 0, TimeSpan.Zero), third.PublishedAt);
        Assert.Equal(TimeSpan.Zero, third.PublishedAt.Offset);
        Assert.Equal(FeedTestHost.Start, third.FirstSeenAt);
        Assert.Equal("Example News", third.FeedTitle);
        Assert.Equal("news.example.test", third.Site);

        var saved = await host.GetFeedAsync(feed.Id);
        Assert.NotNull(saved.ETag);
        Assert.NotNull(saved.LastModified);
        Assert.NotNull(saved.ContentHash);
        Assert.Equal(200, saved.LastHttpStatus);
        Assert.Equal(0, saved.ConsecutiveFailures);
        Assert.Null(saved.LastErrorKind);
        Assert.Equal(FeedTestHost.Start, saved.LastSuccessAt);
        Assert.Equal(FeedTestHost.Start, saved.LastNewItemAt);
        Assert.Equal(FeedTestHost.Start + saved.PollInterval, saved.NextCheckAt);
        Assert.Equal(3, saved.ItemsSeen);
        Assert.True(saved.LastBodyBytes > 0);
        Assert.Equal("Example News", saved.Title);
        Assert.Equal("https://news.example.test/", saved.SiteUrl);

        var request = Assert.Single(_server.Requests("/a.xml"));
        Assert.StartsWith("Alerts/1.0 (+https://", request.UserAgent);
        Assert.Null(request.IfNoneMatch);
    }

    [Fact]
    public async Task Second_fetch_is_conditional_gets_304_and_adds_nothing()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        ServeThreeItems("/a.xml");
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));
        await host.FetchAsync(feed);
        var first = await host.GetFeedAsync(feed.Id);

        host.Time.Advance(TimeSpan.FromMinutes(15));
        await host.FetchAsync(feed);

        Assert.Equal(2, _server.RequestCount("/a.xml"));
        Assert.Equal(1, _server.ConditionalRequestCount("/a.xml"));
        Assert.Equal(1, _server.NotModifiedCount("/a.xml"));
        Assert.Equal(first.ETag, _server.Requests("/a.xml")[1].IfNoneMatch);
        Assert.Equal(3, (await host.ArticlesAsync(feed)).Count);
        Assert.Equal(3, (await host.MatchMessagesAsync()).Count);

        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(304, saved.LastHttpStatus);
        Assert.Equal(first.LastBodyBytes, saved.BytesSavedBy304);
        Assert.Equal(host.Time.GetUtcNow(), saved.LastCheckedAt);
        Assert.Equal(host.Time.GetUtcNow() + saved.PollInterval, saved.NextCheckAt);
        Assert.Equal(3, saved.ItemsSeen);
    }

    [Fact]
    public async Task Same_content_with_new_validators_is_caught_by_the_content_hash()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        ServeThreeItems("/a.xml");
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));
        await host.FetchAsync(feed);
        var first = await host.GetFeedAsync(feed.Id);

        _server.Touch("/a.xml");
        host.Time.Advance(TimeSpan.FromMinutes(15));
        await host.FetchAsync(feed);

        Assert.Equal(200, _server.Requests("/a.xml")[1].Status);
        Assert.Equal(3, (await host.ArticlesAsync(feed)).Count);
        Assert.Equal(3, (await host.MatchMessagesAsync()).Count);
        var saved = await host.GetFeedAsync(feed.Id);
        Assert.NotEqual(first.ETag, saved.ETag);
        Assert.True(saved.LastModified > first.LastModified);
        Assert.Equal(first.ContentHash, saved.ContentHash);
        Assert.Equal(0, saved.BytesSavedBy304);
        Assert.Equal(FeedTestHost.Start, saved.LastNewItemAt);
    }

    [Fact]
    public async Task A_new_item_adds_exactly_one_article_and_one_match_message()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        ServeThreeItems("/a.xml");
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));
        await host.FetchAsync(feed);

        _server.AddItem("/a.xml", "Fourth", "https://news.example.test/4", "Four");
        host.Time.Advance(TimeSpan.FromMinutes(15));
        await host.FetchAsync(feed);

        var articles = await host.ArticlesAsync(feed);
        Assert.Equal(4, articles.Count);
        var fourth = Assert.Single(articles, a => a.Title == "Fourth");
        Assert.Equal(host.Time.GetUtcNow(), fourth.FirstSeenAt);
        var messages = await host.MatchMessagesAsync();
        Assert.Equal(4, messages.Count);
        Assert.Single(messages, m => m.ArticleId == fourth.Id);
        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(4, saved.ItemsSeen);
        Assert.Equal(host.Time.GetUtcNow(), saved.LastNewItemAt);
    }

    [Fact]
    public async Task The_same_message_processed_twice_adds_no_duplicate_article_or_message()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        ServeThreeItems("/a.xml");
        // A server without validators answers 200 every time, so the second run really downloads again.
        _server.SetValidators("/a.xml", etag: false, lastModified: false);
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));

        await host.FetchAsync(feed);
        await host.FetchAsync(feed);

        Assert.Equal([200, 200], _server.Requests("/a.xml").Select(r => r.Status));
        Assert.Equal(3, (await host.ArticlesAsync(feed)).Count);
        Assert.Equal(3, (await host.MatchMessagesAsync()).Count);
    }

    [Fact]
    public async Task A_changed_document_with_the_same_items_adds_no_duplicates()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var rss = ServeThreeItems("/a.xml");
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));
        await host.FetchAsync(feed);

        // Different bytes (so no content-hash shortcut) but the same items: dedup is by item key.
        rss.Description = "Now with a new tagline";
        _server.Touch("/a.xml");
        host.Time.Advance(TimeSpan.FromMinutes(15));
        await host.FetchAsync(feed);

        Assert.Equal(3, (await host.ArticlesAsync(feed)).Count);
        Assert.Equal(3, (await host.MatchMessagesAsync()).Count);
        Assert.Equal(3, (await host.GetFeedAsync(feed.Id)).ItemsSeen);
    }

    [Fact]
    public async Task A_redelivery_after_a_run_that_died_before_saving_the_feed_queues_its_articles_again()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        ServeThreeItems("/a.xml");
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));
        await host.FetchAsync(feed);

        // As if that run had stored the articles but died before its queue sends and its final feed update.
        await host.Feeds.UpdateAsync(feed.Id, _ => feed);
        await host.ClearMatchQueueAsync();

        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.FetchAsync(feed);

        var articles = await host.ArticlesAsync(feed);
        Assert.Equal(3, articles.Count);
        Assert.Equal(articles.Select(a => a.Id).Order(), (await host.MatchMessagesAsync()).Select(m => m.ArticleId).Order());
        Assert.All(articles, a => Assert.Equal(FeedTestHost.Start, a.FirstSeenAt));
        Assert.Equal(3, (await host.GetFeedAsync(feed.Id)).ItemsSeen);
    }

    [Fact]
    public async Task Items_without_guid_are_keyed_by_link_and_without_link_by_content()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var rss = _server.SetFeed("/a.xml", new RssBuilder());
        rss.AddItem(new RssItem("Linked", "https://example.test/linked", "x"));
        rss.AddItem(new RssItem("Bare one", "", "text one"));
        rss.AddItem(new RssItem("Bare two", "", "text two"));
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));

        await host.FetchAsync(feed);

        var articles = await host.ArticlesAsync(feed);
        Assert.Equal(3, articles.Count);
        Assert.Contains(articles, a => a.ItemKey == Alerts.Core.Storage.TableKeys.Hash("https://example.test/linked"));
        Assert.All(articles, a => Assert.Equal(FeedTestHost.Start, a.PublishedAt));
        Assert.All(articles, a => Assert.Equal("example.test", a.Site));
    }

    [Fact]
    public async Task Missing_or_paused_feeds_are_skipped_without_a_request()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        ServeThreeItems("/a.xml");
        var feed = await host.AddFeedAsync(_server.Url("/a.xml"));
        await host.Feeds.UpdateAsync(feed.Id, f => f with { Status = FeedStatus.Paused });

        await host.FetchAsync(feed);
        await host.Fetch.HandleAsync(new FeedFetchMessage("0123456789abcdef"), CancellationToken.None);

        Assert.Equal(0, _server.RequestCount("/a.xml"));
        Assert.Empty(await host.ArticlesAsync(feed));
    }

    [Fact]
    public async Task Redirects_and_compressed_bodies_are_followed_and_decoded()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var rss = new RssBuilder("Zipped").AddItem("Packed", "https://zip.test/1", "inside gzip");
        _server.Respond("/final.xml", new ScriptedResponse(200, FeedFaultTests.Gzip(rss.BuildBytes()), "application/rss+xml",
            Headers: new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }));
        _server.Respond("/moved.xml", new ScriptedResponse(301, [], Headers: new Dictionary<string, string> { ["Location"] = "/final.xml" }));
        _server.Respond("/old.xml", new ScriptedResponse(302, [], Headers: new Dictionary<string, string> { ["Location"] = _server.Url("/moved.xml") }));
        var feed = await host.AddFeedAsync(_server.Url("/old.xml"));

        await host.FetchAsync(feed);

        var article = Assert.Single(await host.ArticlesAsync(feed));
        Assert.Equal("inside gzip", article.Summary);
        Assert.Equal(1, _server.RequestCount("/final.xml"));
        Assert.Equal(0, (await host.GetFeedAsync(feed.Id)).ConsecutiveFailures);
    }
}
