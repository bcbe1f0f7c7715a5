using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// Slow, hanging and hostile feeds on a host do not make its healthy feeds fail, back off or wait for them, through
/// the real fetch path on a loopback server.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class HostIsolationTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Two_hanging_feeds_holding_a_hosts_slots_do_not_make_its_healthy_feeds_time_out()
    {
        // Two slots per host and a two-second timeout: both slots are held by hanging feeds for a full timeout.
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "2",
        });
        _server.Hang("/hang1.xml", TimeSpan.FromSeconds(30));
        _server.Hang("/hang2.xml", TimeSpan.FromSeconds(30));
        var hanging = new[] { await host.AddFeedAsync(_server.Url("/hang1.xml")), await host.AddFeedAsync(_server.Url("/hang2.xml")) };
        var healthy = new List<Feed>();
        for (var i = 0; i < 3; i++)
        {
            // Each healthy feed takes most of a timeout to answer: together with the wait for a slot it would not fit.
            _server.SetFeed($"/ok{i}.xml").AddItem($"Healthy {i}", $"https://ok.test/{i}", "fine");
            _server.SetDelay($"/ok{i}.xml", TimeSpan.FromMilliseconds(1200));
            healthy.Add(await host.AddFeedAsync(_server.Url($"/ok{i}.xml")));
        }

        // Hanging feeds first in the message, as the poller may order them.
        var ids = hanging.Concat(healthy).Select(f => f.Id).ToList();
        await host.Fetch.HandleAsync(new FeedFetchMessage(ids[0], ids.Skip(1).ToList()), CancellationToken.None);

        foreach (var feed in hanging)
            Assert.Equal(FeedErrorKind.Timeout, (await host.GetFeedAsync(feed.Id)).LastErrorKind);
        foreach (var feed in healthy)
        {
            var saved = await host.GetFeedAsync(feed.Id);
            Assert.True(saved.ConsecutiveFailures == 0, $"{saved.Url} failed: {saved.LastErrorKind} {saved.LastError}");
            Assert.Equal(host.Time.GetUtcNow() + saved.PollInterval, saved.NextCheckAt); // no backoff
            Assert.Single(await host.ArticlesAsync(feed));
        }
        Assert.Equal(3, (await host.MatchMessagesAsync()).Count);
    }
}
