using System.Diagnostics;
using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// Through the local host's own queue listeners: a hanging feed and a hostile document on a host hold up neither the
/// healthy feeds fetched with them nor the fetch messages queued after them; their instant alerts go out on time.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class SlowFeedTests(AzuriteFixture azurite)
{
    private static readonly TimeSpan FeedTimeout = TimeSpan.FromSeconds(8);

    [Fact]
    public async Task A_deep_document_and_a_hanging_feed_on_the_same_host_do_not_delay_the_alerts_of_its_healthy_feeds()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, extraSettings: new Dictionary<string, string?>
        {
            ["Feeds:Timeout"] = "00:00:08",
            ["Feeds:ParseTimeBudget"] = "00:00:00.100",
            ["Feeds:MinHostGap"] = "00:00:00",
        });
        var subscription = await host.SubscribeAndConfirmAsync("Zanzibar", Frequency.Instant);
        host.Smtp.Clear();

        host.Feeds.Hang("/hang.xml", TimeSpan.FromSeconds(60));
        host.Feeds.Respond("/deep.xml", new ScriptedResponse(200, DeepFeed.Costly(), "application/rss+xml"));
        host.Feeds.SetFeed("/same-message.xml", "Same message");
        host.Feeds.AddItem("/same-message.xml", "Zanzibar port reopens", "https://ok.test/port", "Ships dock again.");
        var store = host.Service<FeedStore>();
        foreach (var path in new[] { "/hang.xml", "/deep.xml", "/same-message.xml" })
            Assert.True(await store.TryAddAsync(Feed.Create(host.Feeds.Url(path), host.Clock.GetUtcNow(), TimeSpan.FromMinutes(15))));

        // One poll: the three feeds of this host go out in one fetch message.
        var clock = Stopwatch.StartNew();
        await host.RunTimerAsync("PollFeeds");
        var first = await host.Smtp.WaitForMessageAsync(m => m.HtmlBody?.Contains("https://ok.test/port") == true, FeedTimeout);
        var firstAfter = clock.Elapsed;

        // A feed of the same host due a moment later gets its own message, received while the first still runs.
        host.Feeds.SetFeed("/next-message.xml", "Next message");
        host.Feeds.AddItem("/next-message.xml", "Zanzibar ferry timetable", "https://ok.test/ferry", "New crossings.");
        Assert.True(await store.TryAddAsync(Feed.Create(host.Feeds.Url("/next-message.xml"), host.Clock.GetUtcNow(), TimeSpan.FromMinutes(15))));
        var secondPolledAt = clock.Elapsed;
        await host.RunTimerAsync("PollFeeds");
        var second = await host.Smtp.WaitForMessageAsync(m => m.HtmlBody?.Contains("https://ok.test/ferry") == true, FeedTimeout);
        var secondAfter = clock.Elapsed - secondPolledAt;

        // On time: well inside a healthy feed's own timeout, which the hanging feed uses up in full.
        Assert.True(firstAfter < FeedTimeout / 2, $"The alert from the feed fetched with the hanging one took {firstAfter}.");
        Assert.True(secondAfter < FeedTimeout / 2, $"The alert from the next message took {secondAfter}.");
        Assert.All(new[] { first, second }, m => Assert.Equal(subscription.Email, m.To.Mailboxes.Single().Address));

        await host.WaitForQueuesToDrainAsync();
        var feeds = new Dictionary<string, Feed>();
        foreach (var path in new[] { "/hang.xml", "/deep.xml", "/same-message.xml", "/next-message.xml" })
            feeds[path] = await store.GetAsync(Feed.IdFor(host.Feeds.Url(path))) ?? throw new InvalidOperationException(path);
        Assert.Equal(FeedErrorKind.Timeout, feeds["/hang.xml"].LastErrorKind);
        Assert.Equal(FeedErrorKind.NotAFeed, feeds["/deep.xml"].LastErrorKind);
        foreach (var healthy in new[] { feeds["/same-message.xml"], feeds["/next-message.xml"] })
        {
            Assert.Equal(0, healthy.ConsecutiveFailures);
            Assert.Equal(host.Clock.GetUtcNow() + healthy.PollInterval, healthy.NextCheckAt);
        }
    }
}
