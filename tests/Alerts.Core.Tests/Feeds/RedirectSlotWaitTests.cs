using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// A feed that redirects to another host (feedburner-style, to a popular host) queues for that host's slot on the
/// redirect hop: the queueing is not request time, so it does not eat the feed's timeout, and it is bounded on its own.
/// Two host names for one loopback server: "localhost" (the feed's host) and "127.0.0.1" (the busy host).
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class RedirectSlotWaitTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    private string OnFeedHost(string path) => new UriBuilder(_server.Url(path)) { Host = "localhost" }.Uri.ToString();

    private string BusyHost => _server.BaseUri.IdnHost;

    [Fact]
    public async Task A_redirect_to_a_host_busy_on_another_instance_waits_for_its_slot_without_timing_out()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "1",
            ["Feeds:Timeout"] = "00:00:03",
        });
        // The feed's own host answers its redirect in half a timeout; the target answers at once.
        _server.Respond("/old.xml", new ScriptedResponse(302, [], Delay: TimeSpan.FromMilliseconds(1500),
            Headers: new Dictionary<string, string> { ["Location"] = _server.Url("/feed.xml") }));
        _server.SetFeed("/feed.xml").AddItem("Court rules", "https://news.test/1", "A ruling.");
        var feed = await host.AddFeedAsync(OnFeedHost("/old.xml"));

        // Another instance holds the target's only slot until 3.5 s in: the hop waits about 2 s (less than a timeout)
        // for it, so request time plus waiting (3.5 s and more) is past the timeout while request time (1.5 s) is not.
        var held = await host.OtherInstance<HostThrottle>().AcquireAsync(BusyHost, CancellationToken.None);
        var release = Task.Delay(TimeSpan.FromMilliseconds(3500)).ContinueWith(_ => held.DisposeAsync().AsTask()).Unwrap();

        await host.FetchAsync(feed);
        await release;

        var saved = await host.GetFeedAsync(feed.Id);
        Assert.True(saved.ConsecutiveFailures == 0, $"The feed failed: {saved.LastErrorKind} {saved.LastError}");
        Assert.Null(saved.LastErrorKind);
        Assert.Equal(1, _server.RequestCount("/old.xml"));
        Assert.Equal(1, _server.RequestCount("/feed.xml"));
        Assert.Single(await host.ArticlesAsync(feed));
        Assert.Single(await host.MatchMessagesAsync());
    }

    [Fact]
    public async Task A_redirect_hop_that_cannot_get_a_slot_within_the_timeout_is_queued_again_and_not_recorded_as_failed()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "1",
            ["Feeds:Timeout"] = "00:00:01",
        });
        _server.Redirect("/old.xml", 302, _server.Url("/feed.xml"));
        _server.SetFeed("/feed.xml").AddItem("Court rules", "https://news.test/1", "A ruling.");
        var feed = await host.AddFeedAsync(OnFeedHost("/old.xml"));

        // This worker's own request to the target (another feed of the popular host) holds its only slot throughout.
        var held = await host.Service<HostThrottle>().AcquireAsync(BusyHost, CancellationToken.None);
        await host.FetchAsync(feed);

        Assert.Equal(1, _server.RequestCount("/old.xml"));
        Assert.Equal(0, _server.RequestCount("/feed.xml"));
        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(0, saved.ConsecutiveFailures);
        Assert.Null(saved.LastErrorKind);
        Assert.Null(saved.LastCheckedAt);
        var queue = host.Service<AlertsStorage>().Queue(QueueNames.FeedFetch);
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await queue.PeekMessagesAsync()).Value); // hidden for a while, not retried at once

        // Once the slot is given back, the queued fetch follows the redirect and stores the story.
        await held.DisposeAsync();
        Azure.Storage.Queues.Models.QueueMessage? message = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); message is null && DateTime.UtcNow < deadline; await Task.Delay(200))
            message = (await queue.ReceiveMessagesAsync(1)).Value.FirstOrDefault();
        Assert.NotNull(message);
        await host.Fetch.HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(message!.Body.ToString()), CancellationToken.None);
        Assert.Equal(1, _server.RequestCount("/feed.xml"));
        Assert.Single(await host.ArticlesAsync(feed));
    }
}
