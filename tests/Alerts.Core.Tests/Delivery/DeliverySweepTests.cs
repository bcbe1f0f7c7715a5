using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Delivery;

/// <summary>Email whose message was lost is found by the sweep and sent once; what was sent is left alone.</summary>
[Collection(StorageCollection.Name)]
public sealed class DeliverySweepTests(AzuriteFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 0, 30, TimeSpan.Zero);

    [Fact]
    public async Task An_instant_match_and_a_digest_whose_messages_were_lost_are_sent_once_by_the_sweep()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, new Dictionary<string, string?> { ["Delivery:SweepAfter"] = "00:00:01" });
        var instant = await host.SubscribeAsync("instant@example.com", "DACA", Frequency.Instant);
        var daily = await host.SubscribeAsync("daily@example.com", "DACA", Frequency.Daily);
        var article = await host.PublishAsync("a1", "Story on DACA");
        await host.Get<ArticleMatchHandler>().HandleAsync(new ArticleMatchMessage(article.Id));
        await host.Get<DigestScheduler>().HandleAsync();
        // Every queued message lost (a re-created queue, a poisoned message deleted by hand).
        await host.Storage.Queue(Alerts.Core.Storage.QueueNames.DigestSend).ClearMessagesAsync();
        await host.Storage.Queue(Alerts.Core.Storage.QueueNames.ArticleMatch).ClearMessagesAsync();

        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, await host.Get<DeliverySweep>().HandleAsync());
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        Assert.Single(host.Emails(), e => e.To == instant.Email);
        Assert.Single(host.Emails(), e => e.To == daily.Email);
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(instant.Id));
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(daily.Id));

        // Nothing left to find: a second sweep queues nothing and sends nothing.
        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await host.Get<DeliverySweep>().HandleAsync());
        Assert.Equal(2, host.Emails().Count);
    }
}
