using System.Diagnostics;
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
        // Two slots per host and a four-second timeout: both slots are held by hanging feeds for a full timeout.
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "2",
            ["Feeds:Timeout"] = "00:00:04",
        });
        _server.Hang("/hang1.xml", TimeSpan.FromSeconds(30));
        _server.Hang("/hang2.xml", TimeSpan.FromSeconds(30));
        var hanging = new[] { await host.AddFeedAsync(_server.Url("/hang1.xml")), await host.AddFeedAsync(_server.Url("/hang2.xml")) };
        var healthy = new List<Feed>();
        for (var i = 0; i < 3; i++)
        {
            // Each healthy feed takes most of a timeout to answer: together with the wait for a slot it would not fit.
            _server.SetFeed($"/ok{i}.xml").AddItem($"Healthy {i}", $"https://ok.test/{i}", "fine");
            _server.SetDelay($"/ok{i}.xml", TimeSpan.FromMilliseconds(2500));
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

    [Fact]
    public async Task A_deep_document_and_a_hanging_feed_on_the_same_host_leave_the_healthy_feed_stored_within_its_own_timeout()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:ParseTimeBudget"] = "00:00:00.100",
            ["Feeds:Timeout"] = "00:00:04",
        });
        _server.Hang("/hang.xml", TimeSpan.FromSeconds(30));
        _server.Respond("/deep.xml", new ScriptedResponse(200, DeepFeed.Costly(), "application/rss+xml"));
        _server.SetFeed("/ok.xml").AddItem("Healthy story", "https://ok.test/1", "fine");
        var hanging = await host.AddFeedAsync(_server.Url("/hang.xml"));
        var deep = await host.AddFeedAsync(_server.Url("/deep.xml"));
        var healthy = await host.AddFeedAsync(_server.Url("/ok.xml"));

        var clock = Stopwatch.StartNew();
        var fetch = host.Fetch.HandleAsync(new FeedFetchMessage(hanging.Id, [deep.Id, healthy.Id]), CancellationToken.None);
        while ((await host.ArticlesAsync(healthy)).Count == 0 && !fetch.IsCompleted)
            await Task.Delay(50);
        var healthyStoredAfter = clock.Elapsed;
        await fetch;
        var messageDoneAfter = clock.Elapsed;

        Assert.Single(await host.ArticlesAsync(healthy));
        Assert.True(healthyStoredAfter < host.Options.Timeout, $"The healthy feed was stored after {healthyStoredAfter}.");
        var savedHealthy = await host.GetFeedAsync(healthy.Id);
        Assert.Equal(0, savedHealthy.ConsecutiveFailures);
        Assert.Equal(host.Time.GetUtcNow() + savedHealthy.PollInterval, savedHealthy.NextCheckAt);
        Assert.Single(await host.MatchMessagesAsync());

        // The message ends once the hanging feed times out; it does not wait for the deep document to be parsed.
        Assert.True(messageDoneAfter < host.Options.Timeout + TimeSpan.FromSeconds(3), $"The message took {messageDoneAfter}.");
        var savedDeep = await host.GetFeedAsync(deep.Id);
        Assert.Equal(FeedErrorKind.NotAFeed, savedDeep.LastErrorKind);
        Assert.False(string.IsNullOrWhiteSpace(savedDeep.LastError));
        Assert.Empty(await host.ArticlesAsync(deep));
        Assert.Equal(FeedErrorKind.Timeout, (await host.GetFeedAsync(hanging.Id)).LastErrorKind);
    }

    [Fact]
    public async Task A_document_too_costly_to_parse_is_recorded_as_unreadable_without_holding_up_the_fetch()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:ParseTimeBudget"] = "00:00:00.100",
        });
        // The costliest shape for the liberal parser: well past a 100 ms budget.
        _server.Respond("/deep.xml", new ScriptedResponse(200, DeepFeed.Costly(), "application/rss+xml"));
        var deep = await host.AddFeedAsync(_server.Url("/deep.xml"));

        var clock = Stopwatch.StartNew();
        await host.FetchAsync(deep);

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(3), $"The fetch took {clock.Elapsed}.");
        var saved = await host.GetFeedAsync(deep.Id);
        Assert.Equal(FeedErrorKind.NotAFeed, saved.LastErrorKind);
        Assert.StartsWith("Not a readable feed", saved.LastError);
        Assert.Equal(1, saved.ConsecutiveFailures);
    }
}
