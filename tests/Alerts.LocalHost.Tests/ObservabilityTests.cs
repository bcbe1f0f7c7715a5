using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Alerts.Core;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

[Collection(StorageCollection.Name)]
public sealed class ObservabilityTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Timer_fetch_match_and_send_of_one_article_form_one_trace()
    {
        var activities = new ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name == AlertsTelemetry.SourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(listener);
        await using var host = await LocalHostHarness.StartAsync(azurite);
        await host.SubscribeAndConfirmAsync("DACA", Frequency.Instant);
        host.Feeds.SetFeed("/t.xml", "Traced");
        host.Feeds.AddItem("/t.xml", "DACA hearing", "https://t.test/1", "About DACA.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/t.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();
        activities.Clear();

        // A new article, found by the poll timer, matched, and sent as an instant alert.
        host.Feeds.AddItem("/t.xml", "DACA ruling", "https://t.test/2", "Court rules on DACA.");
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();

        var timer = Assert.Single(activities, a => a.OperationName == "PollFeeds");
        var trace = activities.Where(a => a.TraceId == timer.TraceId).Select(a => a.OperationName).ToHashSet();
        Assert.Contains("FetchFeed", trace);
        Assert.Contains("MatchArticle", trace);
        Assert.Contains("SendDigest", trace);
    }

    [Fact]
    public async Task The_local_host_serves_pipeline_metrics_and_a_health_report()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        await host.SubscribeAndConfirmAsync("Anything", Frequency.Instant);
        host.Feeds.SetFeed("/m.xml", "Measured");
        host.Feeds.AddItem("/m.xml", "Anything", "https://m.test/1", "Text.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/m.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();

        var metrics = await host.Http.GetStringAsync("/metrics");
        Assert.Matches(@"alerts_feeds_polled_total(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"alerts_articles_new_total(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"alerts_matches_total(\{[^}]*\})? [1-9]", metrics);
        Assert.Matches(@"alerts_digests_sent_total(\{[^}]*\})? [1-9]", metrics);
        Assert.Contains("alerts_queue_age_count", metrics);

        using var health = JsonDocument.Parse(await host.Http.GetStringAsync("/healthz"));
        Assert.Equal("healthy", health.RootElement.GetProperty("status").GetString());
        Assert.Equal(0, health.RootElement.GetProperty("queues").GetProperty("feed-fetch-poison").GetInt32());
    }
}
