using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

[Collection(StorageCollection.Name)]
public sealed class FeedPollHandlerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Enqueues_only_due_active_feeds_and_not_twice_within_the_lease()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var now = host.Time.GetUtcNow();
        var due = await host.AddFeedAsync("https://a.example.test/due.xml");
        var paused = await host.AddFeedAsync("https://a.example.test/paused.xml");
        var disabled = await host.AddFeedAsync("https://a.example.test/disabled.xml");
        var later = await host.AddFeedAsync("https://a.example.test/later.xml");
        await host.Feeds.UpdateAsync(paused.Id, f => f with { Status = FeedStatus.Paused });
        await host.Feeds.UpdateAsync(disabled.Id, f => f with { Status = FeedStatus.Disabled, DisabledReason = "test" });
        await host.Feeds.UpdateAsync(later.Id, f => f with { NextCheckAt = now.AddMinutes(5) });

        Assert.Equal(1, await host.Poll.HandleAsync(CancellationToken.None));
        Assert.Equal([due.Id], (await host.FetchMessagesAsync()).Select(m => m.FeedId));
        Assert.Equal(now + host.Options.FetchLease, (await host.GetFeedAsync(due.Id)).NextCheckAt);

        // Next tick, fetch still queued: nothing new.
        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await host.Poll.HandleAsync(CancellationToken.None));

        // "later" comes due; "due" is still leased.
        host.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await host.Poll.HandleAsync(CancellationToken.None));
        Assert.Equal([due.Id, later.Id], (await host.FetchMessagesAsync()).Select(m => m.FeedId));

        // The fetch never ran (lost worker): once the lease runs out the feed is queued again.
        host.Time.Advance(TimeSpan.FromMinutes(5));
        Assert.Equal(1, await host.Poll.HandleAsync(CancellationToken.None));
        Assert.Equal(3, (await host.FetchMessagesAsync()).Count);
    }

    [Fact]
    public async Task Concurrent_ticks_enqueue_a_due_feed_once()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        for (var i = 0; i < 5; i++)
            await host.AddFeedAsync($"https://b.example.test/{i}.xml");

        var counts = await Task.WhenAll(
            host.Poll.HandleAsync(CancellationToken.None),
            host.Poll.HandleAsync(CancellationToken.None),
            host.Poll.HandleAsync(CancellationToken.None));

        Assert.Equal(5, counts.Sum());
        var queued = (await host.FetchMessagesAsync()).SelectMany(m => m.FeedIds).ToList();
        Assert.Equal(5, queued.Count);
        Assert.Equal(5, queued.Distinct().Count());
    }
}
