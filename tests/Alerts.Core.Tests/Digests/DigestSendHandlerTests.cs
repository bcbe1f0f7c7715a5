using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Digests;

/// <summary>The send handler against real Azurite tables and a real SMTP server.</summary>
[Collection(StorageCollection.Name)]
public sealed class DigestSendHandlerTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private const string Key = "daily-2026-11-26";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    private TestSmtpServer _smtp = null!;
    private ServiceProvider _services = null!;
    private SubscriptionStore _subscriptions = null!;
    private MatchStore _matches = null!;
    private ArticleStore _articles = null!;
    private DigestStore _digests = null!;
    private FakeTimeProvider _time = null!;
    private DigestSendHandler _handler = null!;
    private Alerts.Core.Storage.AlertsStorage _storage = null!;

    public async Task InitializeAsync()
    {
        _smtp = await TestSmtpServer.StartAsync();
        _storage = await fixture.ResetAsync();
        _time = new FakeTimeProvider(Now);
        _services = CoreTestServices.Build(_storage, _time, DigestTestData.Settings(_smtp));
        _subscriptions = _services.GetRequiredService<SubscriptionStore>();
        _matches = _services.GetRequiredService<MatchStore>();
        _articles = _services.GetRequiredService<ArticleStore>();
        _digests = _services.GetRequiredService<DigestStore>();
        _handler = _services.GetRequiredService<DigestSendHandler>();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task<Subscription> SubscriptionAsync(SubscriptionStatus status = SubscriptionStatus.Active, Frequency frequency = Frequency.Daily)
    {
        var s = DigestTestData.Subscription(frequency, status);
        await _subscriptions.AddAsync(s);
        return s;
    }

    /// <summary>Stores an article titled <paramref name="title"/> and a match of it for the subscription.</summary>
    private async Task<Article> MatchAsync(Subscription s, string title, string? deliveredIn = null, int minutesAgo = 30)
    {
        var article = DigestTestData.Article(TableKeysFor(title), title: title + " DACA", summary: "About DACA.");
        await _articles.TryAddAsync(article);
        var hit = new Hit(DocumentField.Title, title.Length + 1, 4);
        await _matches.TryAddAsync(new MatchRecord(s.Id, article.Id, Now.AddMinutes(-minutesAgo), [hit], deliveredIn));
        return article;
    }

    private static string TableKeysFor(string title) => Alerts.Core.Storage.TableKeys.Hash(title, 16);

    [Fact]
    public async Task Sends_exactly_the_pending_matches_and_marks_them_delivered()
    {
        var s = await SubscriptionAsync();
        var other = await SubscriptionAsync();
        await MatchAsync(s, "Alpha");
        await MatchAsync(s, "Bravo");
        await MatchAsync(s, "Charlie");
        await MatchAsync(s, "Old news", deliveredIn: "daily-2026-11-25");
        await MatchAsync(other, "Not yours");

        var result = await _handler.HandleAsync(new DigestSendMessage(s.Id, Key));

        Assert.Equal(DigestSendOutcome.Sent, result.Outcome);
        Assert.Equal(3, result.ArticleCount);
        var email = Assert.Single(_smtp.Messages);
        Assert.Equal("3 new articles for \"DACA\"", email.Subject);
        Assert.Equal(result.MessageId, email.MessageId);
        Assert.Equal("List-Unsubscribe=One-Click", email.Headers["List-Unsubscribe-Post"]);
        foreach (var title in new[] { "Alpha", "Bravo", "Charlie" })
            Assert.Contains(title + " <mark", email.HtmlBody);
        Assert.DoesNotContain("Old news", email.HtmlBody);
        Assert.DoesNotContain("Not yours", email.HtmlBody);

        Assert.Empty(await _matches.ListPendingAsync(s.Id));
        Assert.Equal(3, (await _matches.ListAsync(s.Id)).Count(m => m.DeliveredIn == Key));
        Assert.Single(await _matches.ListPendingAsync(other.Id));
        var row = await _digests.GetAsync(s.Id, Key);
        Assert.Equal(DigestState.Sent, row?.State);
        Assert.Equal(3, row?.ArticleIds?.Count);
        Assert.Equal(Now, (await _subscriptions.GetAsync(s.Id))?.LastDigestAt);
        Assert.Equal(SubscriptionStatus.Active, (await _subscriptions.GetAsync(s.Id))?.Status);
    }

    [Fact]
    public async Task The_same_message_twice_sends_one_email()
    {
        var s = await SubscriptionAsync();
        await MatchAsync(s, "Alpha");

        var first = await _handler.HandleAsync(new DigestSendMessage(s.Id, Key));
        await MatchAsync(s, "Arrived later");
        var second = await _handler.HandleAsync(new DigestSendMessage(s.Id, Key));

        Assert.Equal(DigestSendOutcome.Sent, first.Outcome);
        Assert.Equal(DigestSendOutcome.AlreadyDone, second.Outcome);
        Assert.Single(_smtp.Messages);
        // The later match waits for the next period instead of riding on the redelivery.
        Assert.Single(await _matches.ListPendingAsync(s.Id));
    }

    [Fact]
    public async Task An_smtp_rejection_defers_keeps_matches_pending_queues_a_retry_and_the_retry_sends_the_same_email_once()
    {
        var s = await SubscriptionAsync();
        await MatchAsync(s, "Alpha");
        await MatchAsync(s, "Bravo");
        _smtp.FailNext(1);

        // Not thrown (five throws end in the poison queue): deferred, with the retry queued behind a delay.
        Assert.Equal(DigestSendOutcome.Deferred, (await _handler.HandleAsync(new DigestSendMessage(s.Id, Key))).Outcome);
        var retryQueued = (await _storage.Queue(Alerts.Core.Storage.QueueNames.DigestSend).GetPropertiesAsync()).Value.ApproximateMessagesCount;
        Assert.Equal(1, retryQueued);

        Assert.Empty(_smtp.Messages);
        Assert.Equal(1, _smtp.Rejected);
        Assert.Equal(2, (await _matches.ListPendingAsync(s.Id)).Count);
        Assert.Equal(DigestState.Frozen, (await _digests.GetAsync(s.Id, Key))?.State);
        Assert.Null((await _subscriptions.GetAsync(s.Id))?.LastDigestAt);

        // A match that arrives between the attempts is not added to the frozen email.
        await MatchAsync(s, "Charlie", minutesAgo: 1);
        _time.Advance(TimeSpan.FromMinutes(5));
        var retry = await _handler.HandleAsync(new DigestSendMessage(s.Id, Key, Attempt: 1));

        Assert.Equal(DigestSendOutcome.Sent, retry.Outcome);
        var email = Assert.Single(_smtp.Messages);
        Assert.Equal("2 new articles for \"DACA\"", email.Subject);
        Assert.DoesNotContain("Charlie", email.HtmlBody);
        // The Date is the freeze time, so the retry is the same message as the refused one.
        Assert.Equal(Now, email.Date);
        var pending = Assert.Single(await _matches.ListPendingAsync(s.Id));
        Assert.StartsWith("feed0001_", pending.ArticleId);
        Assert.Equal(DigestState.Sent, (await _digests.GetAsync(s.Id, Key))?.State);
    }

    [Fact]
    public async Task Nothing_pending_sends_nothing()
    {
        var s = await SubscriptionAsync();
        await MatchAsync(s, "Old news", deliveredIn: "daily-2026-11-25");

        var result = await _handler.HandleAsync(new DigestSendMessage(s.Id, Key));

        Assert.Equal(DigestSendOutcome.Empty, result.Outcome);
        Assert.Equal(DigestState.Empty, (await _digests.GetAsync(s.Id, Key))?.State);
        await Task.Delay(200);
        Assert.Empty(_smtp.Messages);
        Assert.Null((await _subscriptions.GetAsync(s.Id))?.LastDigestAt);
    }

    [Theory]
    [InlineData(SubscriptionStatus.Paused)]
    [InlineData(SubscriptionStatus.Unsubscribed)]
    [InlineData(SubscriptionStatus.Pending)]
    public async Task An_inactive_subscription_gets_no_email(SubscriptionStatus status)
    {
        var s = await SubscriptionAsync(status);
        await MatchAsync(s, "Alpha");

        var result = await _handler.HandleAsync(new DigestSendMessage(s.Id, Key));

        Assert.Equal(DigestSendOutcome.Skipped, result.Outcome);
        Assert.Equal(DigestState.Skipped, (await _digests.GetAsync(s.Id, Key))?.State);
        await Task.Delay(200);
        Assert.Empty(_smtp.Messages);
        Assert.Single(await _matches.ListPendingAsync(s.Id));
    }

    [Fact]
    public async Task A_missing_subscription_is_skipped()
    {
        var result = await _handler.HandleAsync(new DigestSendMessage(SubscriptionStore.NewId(), Key));
        Assert.Equal(DigestSendOutcome.Skipped, result.Outcome);
        Assert.Empty(_smtp.Messages);
    }

    [Fact]
    public async Task An_instant_key_carries_only_its_article()
    {
        var s = await SubscriptionAsync(frequency: Frequency.Instant);
        var alpha = await MatchAsync(s, "Alpha");
        await MatchAsync(s, "Bravo");

        var result = await _handler.HandleAsync(new DigestSendMessage(s.Id, "instant-" + alpha.Id));

        Assert.Equal(DigestSendOutcome.Sent, result.Outcome);
        var email = Assert.Single(_smtp.Messages);
        Assert.Equal("1 new article for \"DACA\"", email.Subject);
        Assert.Contains("Alpha", email.HtmlBody);
        Assert.DoesNotContain("Bravo", email.HtmlBody);
        Assert.Single(await _matches.ListPendingAsync(s.Id));
    }

    [Fact]
    public async Task A_crash_after_delivery_was_recorded_finishes_without_sending_again()
    {
        var s = await SubscriptionAsync();
        var alpha = await MatchAsync(s, "Alpha");
        // The state a previous attempt leaves when it dies after the server accepted and the matches were marked.
        Assert.True(await _digests.TryFreezeAsync(s.Id, Key, null, [alpha.Id], Now));
        await _matches.MarkDeliveredAsync(s.Id, [alpha.Id], Key);

        var result = await _handler.HandleAsync(new DigestSendMessage(s.Id, Key));

        Assert.Equal(DigestSendOutcome.AlreadyDone, result.Outcome);
        Assert.Empty(_smtp.Messages);
        Assert.Equal(DigestState.Sent, (await _digests.GetAsync(s.Id, Key))?.State);
    }
}
