using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Delivery;

/// <summary>Instant alerts of one poll: one email per subscriber carrying every new story, exactly once, however the messages run.</summary>
[Collection(StorageCollection.Name)]
public sealed class InstantPollTests(AzuriteFixture fixture)
{
    private const int Workers = 8;
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_poll_with_three_matching_stories_sends_an_instant_subscriber_one_email_listing_all_three_even_with_every_alert_message_redelivered_at_once()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var reader = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        var titles = new[] { "First story on DACA", "Second story on DACA", "Third story on DACA" };
        foreach (var (title, i) in titles.Select((t, i) => (t, i)))
            await host.PublishAsync($"story{i}", title, "About DACA.");

        // Every article-match message of the poll, each handled by eight matchers at once.
        var matchQueue = host.Storage.Queue(QueueNames.ArticleMatch);
        var matcher = host.Get<ArticleMatchHandler>();
        var matchMessages = await ParallelWork.ReceiveAllAsync(matchQueue);
        await ParallelWork.AllAtOnceAsync(matchMessages.Select(m => (Func<Task>)(() => matcher.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(m)))), Workers);

        // Every alert message they queued, all handled at once, each by eight workers (a redelivery storm).
        var sender = host.Get<DigestSendHandler>();
        var sendMessages = await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.DigestSend));
        Assert.NotEmpty(sendMessages);
        await ParallelWork.AllAtOnceAsync(sendMessages.Select(m => (Func<Task>)(() => sender.HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(m)))), Workers);

        var email = Assert.Single(host.Emails());
        Assert.Equal(reader.Email, email.To);
        // The matched word is marked up in the email, so the titles are looked for up to it.
        Assert.All(titles, t => Assert.Contains(t.Replace(" DACA", "", StringComparison.Ordinal), email.Html, StringComparison.Ordinal));
        Assert.StartsWith("3 new articles", email.Subject, StringComparison.Ordinal);
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(reader.Id));
    }

    [Fact]
    public async Task A_story_of_the_poll_matched_after_its_email_went_out_gets_an_email_of_its_own_exactly_once()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var reader = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        await host.PublishAsync("story0", "First story on DACA", "About DACA.");
        await host.PublishAsync("story1", "Second story on DACA", "About DACA.");
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        // The same poll's third story, matched only now (its article-match message ran late).
        await host.PublishAsync("story2", "Third story on DACA", "About DACA.");
        var matcher = host.Get<ArticleMatchHandler>();
        foreach (var body in await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.ArticleMatch)))
            await matcher.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(body));
        var sender = host.Get<DigestSendHandler>();
        var late = await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.DigestSend));
        await ParallelWork.AllAtOnceAsync(late.Select(m => (Func<Task>)(() => sender.HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(m)))), Workers);

        var emails = host.Emails();
        Assert.Equal(2, emails.Count);
        Assert.Single(emails, e => e.Html.Contains("First story on", StringComparison.Ordinal) && e.Html.Contains("Second story on", StringComparison.Ordinal));
        Assert.Single(emails, e => e.Html.Contains("Third story on", StringComparison.Ordinal));
        Assert.DoesNotContain(emails, e => e.Html.Contains("Third story on", StringComparison.Ordinal) && e.Html.Contains("First story on", StringComparison.Ordinal));
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(reader.Id));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task The_sweep_sends_a_late_story_of_an_already_sent_poll_once_in_an_email_of_its_own()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, new Dictionary<string, string?> { ["Delivery:SweepAfter"] = "00:00:01" });
        var reader = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        await host.PublishAsync("story0", "First story on DACA", "About DACA.");
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        // The poll's second story is matched late and its alert message is lost.
        await host.PublishAsync("story1", "Second story on DACA", "About DACA.");
        var matcher = host.Get<ArticleMatchHandler>();
        foreach (var body in await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.ArticleMatch)))
            await matcher.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(body));
        await host.Storage.Queue(QueueNames.DigestSend).ClearMessagesAsync();

        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await host.Get<DeliverySweep>().HandleAsync());
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var emails = host.Emails();
        Assert.Equal(2, emails.Count);
        Assert.Single(emails, e => e.Html.Contains("Second story on", StringComparison.Ordinal));
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(reader.Id));
        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await host.Get<DeliverySweep>().HandleAsync());
        Assert.Empty(host.Failures);
    }
}
