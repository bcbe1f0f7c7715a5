using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Xunit.Abstractions;

namespace Alerts.Core.Tests.Delivery;

/// <summary>
/// A worker that dies at each step of a send leaves one of these rows; the next delivery of the message (or the
/// sweep's) must finish the job with the email sent once. The one state that cannot be told apart from "not sent"
/// is a claim whose holder died between the server's acceptance and the Sent write: the duplicate window.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class CrashWindowTests(AzuriteFixture fixture, ITestOutputHelper output)
{
    private const string Key = "daily-2026-11-26";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 0, 30, TimeSpan.Zero);

    private static async Task<(Subscription, Alerts.Core.Feeds.Article)> PendingAsync(DeliveryHarness host)
    {
        var s = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Daily);
        var article = await host.PublishAsync("a1", "Story on DACA");
        await host.Get<ArticleMatchHandler>().HandleAsync(new ArticleMatchMessage(article.Id));
        return (s, article);
    }

    [Fact]
    public async Task A_worker_that_died_holding_the_claim_blocks_others_until_the_lease_ends_then_one_takes_over_and_sends_once()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var (s, article) = await PendingAsync(host);
        var digests = host.Get<DigestStore>();
        Assert.True(await digests.TryFreezeAsync(s.Id, Key, null, [article.Id], Now));
        Assert.NotNull(await digests.TryClaimAsync((await digests.GetAsync(s.Id, Key))!, Now));
        var handler = host.Get<DigestSendHandler>();

        Assert.Equal(DigestSendOutcome.Claimed, (await handler.HandleAsync(new DigestSendMessage(s.Id, Key))).Outcome);
        Assert.Empty(host.Emails());

        host.Time.Advance(TimeSpan.FromMinutes(16));
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => handler.HandleAsync(new DigestSendMessage(s.Id, Key)))));

        Assert.Single(results, r => r.Outcome == DigestSendOutcome.Sent);
        Assert.Single(host.Emails());
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
    }

    [Fact]
    public async Task A_worker_that_died_after_the_sent_write_leaves_the_rest_to_the_next_delivery_which_sends_nothing()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var (s, article) = await PendingAsync(host);
        var digests = host.Get<DigestStore>();
        Assert.True(await digests.TryFreezeAsync(s.Id, Key, null, [article.Id], Now));
        await digests.RecordSentAsync(s.Id, Key, Now, "<m@alerts>", [s.Id]);

        var result = await host.Get<DigestSendHandler>().HandleAsync(new DigestSendMessage(s.Id, Key));

        Assert.Equal(DigestSendOutcome.AlreadyDone, result.Outcome);
        Assert.Empty(host.Emails());
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        var row = await digests.GetAsync(s.Id, Key);
        Assert.True(row!.Recorded);
        Assert.Equal(DigestState.Sent, row.State);
    }

    [Fact]
    public async Task A_worker_that_died_after_freezing_leaves_a_row_the_next_delivery_sends_once()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var (s, article) = await PendingAsync(host);
        Assert.True(await host.Get<DigestStore>().TryFreezeAsync(s.Id, Key, null, [article.Id], Now));
        var handler = host.Get<DigestSendHandler>();

        await handler.HandleAsync(new DigestSendMessage(s.Id, Key));
        await handler.HandleAsync(new DigestSendMessage(s.Id, Key));

        Assert.Single(host.Emails());
        // The duplicate window, as measured on this run (reported, not asserted: times are noisy here).
        output.WriteLine($"duplicate window: {DigestSendHandler.LastRecordWindow.TotalMilliseconds:0.0} ms");
        Assert.True(DigestSendHandler.LastRecordWindow > TimeSpan.Zero);
    }

    public static TheoryData<string> MatchSteps => ["reading the article", "storing the second match", "queueing the alerts"];

    [Theory]
    [MemberData(nameof(MatchSteps))]
    public async Task A_match_that_dies_at_each_step_and_is_redelivered_alerts_each_subscriber_once(string step)
    {
        var faults = new StorageFaults();
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, faults: faults);
        var readers = new List<Subscription>();
        for (var i = 0; i < 4; i++)
            readers.Add(await host.SubscribeAsync($"instant{i}@example.com", "DACA", Frequency.Instant));
        var daily = await host.SubscribeAsync("daily@example.com", "DACA", Frequency.Daily);
        var (when, skip) = step switch
        {
            "reading the article" => (StorageFaults.Is(Azure.Core.RequestMethod.Get, "Articles("), 0),
            // One subscription's row fails; the others are written (and their alerts queued) before the message fails.
            "storing the second match" => (StorageFaults.Is(Azure.Core.RequestMethod.Post, "Matches"), 1),
            // Every match row written, the alert message never queued.
            "queueing the alerts" => (StorageFaults.Is(Azure.Core.RequestMethod.Post, "digest-send/messages"), 0),
            _ => throw new ArgumentOutOfRangeException(nameof(step)),
        };
        await host.PublishAsync("a1", "Story one on DACA");
        faults.FailWhen(when, skip);

        // The pump plays the trigger: the failed message becomes visible again and is handled once more.
        await host.DrainAsync(TimeSpan.FromSeconds(60));
        host.Time.Advance(TimeSpan.FromDays(1));
        await host.Get<DigestScheduler>().HandleAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, faults.Injected);
        Assert.Single(host.Failures);
        foreach (var reader in readers.Append(daily))
            Assert.Single(host.Emails(), e => e.To == reader.Email && e.Html.Contains("Story one on", StringComparison.Ordinal));
        Assert.Equal(readers.Count + 1, host.Emails().Count);
        foreach (var reader in readers.Append(daily))
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(reader.Id));
    }
}
