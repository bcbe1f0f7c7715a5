using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

[Collection(StorageCollection.Name)]
public sealed class FeedStoreTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Round_trips_every_field()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var now = host.Time.GetUtcNow();
        var feed = Feed.Create("https://example.test/rss", now, TimeSpan.FromMinutes(30), "Title", "news,tech") with
        {
            SiteUrl = "https://example.test/",
            ETag = "W/\"abc\"",
            LastModified = now.AddDays(-1),
            ContentHash = "00ff",
            LastCheckedAt = now,
            LastSuccessAt = now,
            LastHttpStatus = 200,
            LastError = "boom",
            LastErrorKind = FeedErrorKind.TooLarge,
            ConsecutiveFailures = 2,
            LastNewItemAt = now,
            ItemsSeen = 42,
            BytesSavedBy304 = 1234,
            LastBodyBytes = 99,
            LastResponseMs = 17,
            FirstFetchedAt = now.AddDays(-3),
        };
        Assert.True(await host.Feeds.TryAddAsync(feed));

        Assert.Equal(feed, await host.Feeds.GetAsync(feed.Id));
    }

    [Fact]
    public async Task The_same_url_cannot_be_added_twice()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var now = host.Time.GetUtcNow();
        Assert.True(await host.Feeds.TryAddAsync(Feed.Create("https://Example.TEST/feed.xml", now, TimeSpan.FromMinutes(15))));
        Assert.False(await host.Feeds.TryAddAsync(Feed.Create("https://example.test:443/feed.xml#top", now, TimeSpan.FromMinutes(15))));
        Assert.True(await host.Feeds.TryAddAsync(Feed.Create("https://example.test/Feed.xml", now, TimeSpan.FromMinutes(15))));
    }

    [Fact]
    public async Task Concurrent_updates_are_all_applied()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var feed = await host.AddFeedAsync("https://example.test/feed.xml");

        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            host.Feeds.UpdateAsync(feed.Id, f => f with { ItemsSeen = f.ItemsSeen + 1 })));

        Assert.Equal(5, (await host.GetFeedAsync(feed.Id)).ItemsSeen);
    }

    [Fact]
    public async Task Lists_due_feeds_updates_and_deletes()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var now = host.Time.GetUtcNow();
        var a = await host.AddFeedAsync("https://example.test/a.xml");
        var b = await host.AddFeedAsync("https://example.test/b.xml");
        await host.Feeds.UpdateAsync(b.Id, f => f with { NextCheckAt = now.AddHours(1) });

        Assert.Equal([a.Id], await ToListAsync(host.Feeds.ListDueAsync(now)));
        Assert.Equal(2, (await ToListAsync(host.Feeds.ListAsync())).Count);
        Assert.Null(await host.Feeds.UpdateAsync("0000000000000000", f => f with { ItemsSeen = 1 }));

        Assert.True(await host.Feeds.DeleteAsync(a.Id));
        Assert.False(await host.Feeds.DeleteAsync(a.Id));
        Assert.Null(await host.Feeds.GetAsync(a.Id));
    }

    private static async Task<List<string>> ToListAsync(IAsyncEnumerable<Feed> feeds)
    {
        var ids = new List<string>();
        await foreach (var feed in feeds)
            ids.Add(feed.Id);
        return ids;
    }
}
