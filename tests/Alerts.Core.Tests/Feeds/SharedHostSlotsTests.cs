using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// Per-host slots across instances: a feed that cannot get a slot because another instance holds it waits in the queue
/// instead of failing. The pacing itself is measured by <see cref="HostPacingTests"/>.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class SharedHostSlotsTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_feed_whose_hosts_slots_are_held_by_another_instance_waits_in_the_queue_and_is_not_recorded_as_failed()
    {
        await using var server = await TestFeedServer.StartAsync();
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "1",
            ["Feeds:Timeout"] = "00:00:01",
        });
        server.SetFeed("/news.xml").AddItem("Court rules", "https://news.test/1", "A ruling.");
        var feed = await host.AddFeedAsync(server.Url("/news.xml"));

        // Another instance holds the host's only slot for longer than a fetch may wait.
        var held = await host.OtherInstance<HostThrottle>().AcquireAsync(new Uri(feed.Url).IdnHost, CancellationToken.None);
        await host.FetchAsync(feed);
        var sinceRequeued = System.Diagnostics.Stopwatch.StartNew();

        Assert.Equal(0, server.RequestCount("/news.xml"));
        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(0, saved.ConsecutiveFailures);
        Assert.Null(saved.LastErrorKind);
        Assert.Null(saved.LastCheckedAt);
        var queue = host.Service<AlertsStorage>().Queue(QueueNames.FeedFetch);
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        // Hidden for at least a fetch timeout (1 s), not retried at once. The clock starts after the message was sent,
        // so a pause of this process (GC) that makes it visible before the peek is told apart from no delay at all.
        var visible = (await queue.PeekMessagesAsync()).Value;
        Assert.True(visible.Length == 0 || sinceRequeued.Elapsed >= TimeSpan.FromSeconds(1),
            $"the message was visible again {sinceRequeued.ElapsedMilliseconds} ms after the fetch gave up");

        // Once the other instance gives the slot back, the queued fetch gets it.
        await held.DisposeAsync();
        Azure.Storage.Queues.Models.QueueMessage? message = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); message is null && DateTime.UtcNow < deadline; await Task.Delay(200))
            message = (await queue.ReceiveMessagesAsync(1)).Value.FirstOrDefault();
        Assert.NotNull(message);
        await host.Fetch.HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(message!.Body.ToString()), CancellationToken.None);
        Assert.Equal(1, server.RequestCount("/news.xml"));
        Assert.Single(await host.ArticlesAsync(feed));
    }
}
