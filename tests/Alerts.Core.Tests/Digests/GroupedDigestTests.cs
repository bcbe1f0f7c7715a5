using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Digests;

/// <summary>Scheduler and send handler for an address with several subscriptions on one schedule: one grouped email.</summary>
[Collection(StorageCollection.Name)]
public sealed class GroupedDigestTests(AzuriteFixture fixture) : IAsyncLifetime
{
    private const string Key = "daily-2026-11-26";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero); // 08:00 in New York

    private TestSmtpServer _smtp = null!;
    private ServiceProvider _services = null!;
    private AlertsStorage _storage = null!;
    private SubscriptionStore _subscriptions = null!;
    private MatchStore _matches = null!;
    private ArticleStore _articles = null!;
    private DigestStore _digests = null!;
    private FakeTimeProvider _time = null!;
    private DigestScheduler _scheduler = null!;
    private DigestSendHandler _handler = null!;

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
        _scheduler = _services.GetRequiredService<DigestScheduler>();
        _handler = _services.GetRequiredService<DigestSendHandler>();
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _smtp.DisposeAsync();
    }

    private async Task<Subscription> SubscriptionAsync(string query, int minutesOld, string email = "reader@example.com", int digestHour = 8, int? maxItems = null)
    {
        var s = DigestTestData.Subscription(query: query, email: email, digestHour: digestHour) with
        {
            CreatedAt = Now.AddDays(-1).AddMinutes(-minutesOld),
            MaxItems = maxItems,
        };
        await _subscriptions.AddAsync(s);
        return s;
    }

    private async Task<Article> ArticleAsync(string key, string title)
    {
        var article = DigestTestData.Article(key, title: title, summary: "About " + title + ".", link: "https://news.example.com/" + key);
        await _articles.TryAddAsync(article);
        return article;
    }

    private async Task MatchAsync(Subscription s, Article article, int minutesAgo = 30) =>
        await _matches.TryAddAsync(new MatchRecord(s.Id, article.Id, Now.AddMinutes(-minutesAgo), [new Hit(DocumentField.Title, 0, 4)]));

    private async Task<List<DigestSendMessage>> DrainAsync()
    {
        var queue = _storage.Queue(QueueNames.DigestSend);
        var list = new List<DigestSendMessage>();
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
            foreach (var m in batch)
            {
                list.Add(QueueMessages.Deserialize<DigestSendMessage>(m.MessageText));
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            }
        return list;
    }

    /// <summary>Two queries of one address (DACA first), a third on another schedule, another address on the same one.</summary>
    private async Task<(Subscription Daca, Subscription Court, Article Shared)> TwoQueriesAsync()
    {
        var daca = await SubscriptionAsync("DACA", minutesOld: 10);
        var court = await SubscriptionAsync("court", minutesOld: 5);
        var shared = await ArticleAsync("shared", "DACA in court again");
        var dacaOnly = await ArticleAsync("daca", "DACA renewals reopen");
        var courtOnly = await ArticleAsync("court", "Court hears tax case");
        await MatchAsync(daca, shared);
        await MatchAsync(daca, dacaOnly);
        await MatchAsync(court, shared);
        await MatchAsync(court, courtOnly);
        return (daca, court, shared);
    }

    [Fact]
    public async Task The_scheduler_queues_one_message_per_address_and_schedule_led_by_the_oldest_subscription()
    {
        var (daca, court, _) = await TwoQueriesAsync();
        var evening = await SubscriptionAsync("evening", minutesOld: 20, digestHour: 20); // same address, another time: not due
        var early = await SubscriptionAsync("early", minutesOld: 1, digestHour: 7);        // same address, due, another schedule
        var other = await SubscriptionAsync("DACA", minutesOld: 30, email: "someone@example.com");

        Assert.Equal(3, await _scheduler.HandleAsync());
        Assert.Equal(
            new[] { new DigestSendMessage(daca.Id, Key), new DigestSendMessage(early.Id, Key), new DigestSendMessage(other.Id, Key) }.OrderBy(m => m.SubscriptionId),
            (await DrainAsync()).OrderBy(m => m.SubscriptionId));
        Assert.Equal([daca.Id, court.Id], (await _digests.GetAsync(daca.Id, Key))?.Members);
        Assert.Equal(daca.Id, (await _digests.GetAsync(court.Id, Key))?.GroupedInto);
        Assert.Null(await _digests.GetAsync(evening.Id, Key));

        // Later ticks queue nothing more for the period.
        _time.Advance(TimeSpan.FromMinutes(15));
        Assert.Equal(0, await _scheduler.HandleAsync());
        Assert.Empty(await DrainAsync());
    }

    [Fact]
    public async Task A_grouped_digest_is_one_email_with_the_shared_article_once_and_every_match_delivered()
    {
        var (daca, court, shared) = await TwoQueriesAsync();
        await _scheduler.HandleAsync();
        var message = Assert.Single(await DrainAsync());

        var result = await _handler.HandleAsync(message);

        Assert.Equal(DigestSendOutcome.Sent, result.Outcome);
        Assert.Equal(3, result.ArticleCount);
        var email = Assert.Single(_smtp.Messages);
        Assert.Equal("3 new articles for \"DACA\" and \"court\"", email.Subject);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(email.TextBody ?? "", "https://news.example.com/shared"));
        Assert.Contains("Also matches: \"court\"", email.TextBody);
        Assert.Equal(DigestComposer.MessageIdFor(daca.Id, Key, _smtp.Options("alerts@alerts.example.org").EffectiveListIdDomain), email.MessageId);
        foreach (var s in new[] { daca, court })
        {
            Assert.Empty(await _matches.ListPendingAsync(s.Id));
            Assert.All(await _matches.ListAsync(s.Id), m => Assert.Equal(Key, m.DeliveredIn));
            var row = await _digests.GetAsync(s.Id, Key);
            Assert.Equal(DigestState.Sent, row?.State);
            Assert.Equal(email.MessageId, row?.MessageId);
            Assert.Equal(Now, (await _subscriptions.GetAsync(s.Id))?.LastDigestAt);
        }
        var lead = await _digests.GetAsync(daca.Id, Key);
        Assert.Equal(3, lead?.ArticleIds?.Count);
        Assert.Equal([daca.Id, court.Id], lead?.Sections?.Select(x => x.SubscriptionId));
        Assert.Contains(shared.Id, lead!.Sections![1].ArticleIds);
    }

    [Fact]
    public async Task A_redelivered_grouped_message_and_a_message_for_a_member_send_nothing_more()
    {
        var (daca, court, _) = await TwoQueriesAsync();
        await _scheduler.HandleAsync();
        var message = Assert.Single(await DrainAsync());

        var first = await _handler.HandleAsync(message);
        var again = await _handler.HandleAsync(message);
        var member = await _handler.HandleAsync(new DigestSendMessage(court.Id, Key));

        Assert.Equal(DigestSendOutcome.Sent, first.Outcome);
        Assert.Equal(DigestSendOutcome.AlreadyDone, again.Outcome);
        Assert.Equal(DigestSendOutcome.AlreadyDone, member.Outcome);
        Assert.Single(_smtp.Messages);
        Assert.Equal(first.MessageId, again.MessageId);
    }

    [Fact]
    public async Task A_member_message_before_the_lead_sent_sends_nothing_and_the_lead_still_sends_once()
    {
        var (daca, court, _) = await TwoQueriesAsync();
        await _scheduler.HandleAsync();
        await DrainAsync();

        Assert.Equal(DigestSendOutcome.AlreadyDone, (await _handler.HandleAsync(new DigestSendMessage(court.Id, Key))).Outcome);
        Assert.Empty(_smtp.Messages);
        Assert.Equal(2, (await _matches.ListPendingAsync(court.Id)).Count);

        Assert.Equal(DigestSendOutcome.Sent, (await _handler.HandleAsync(new DigestSendMessage(daca.Id, Key))).Outcome);
        Assert.Single(_smtp.Messages);
    }

    [Fact]
    public async Task An_smtp_failure_keeps_every_match_pending_and_the_retry_sends_one_grouped_email_with_the_frozen_lists()
    {
        var (daca, court, _) = await TwoQueriesAsync();
        await _scheduler.HandleAsync();
        var message = Assert.Single(await DrainAsync());
        _smtp.FailNext(1);

        // A refusal is not thrown (that would end in the poison queue): the send is deferred with a retry queued.
        Assert.Equal(DigestSendOutcome.Deferred, (await _handler.HandleAsync(message)).Outcome);
        Assert.Empty(_smtp.Messages);
        Assert.Equal(2, (await _matches.ListPendingAsync(daca.Id)).Count);
        Assert.Equal(2, (await _matches.ListPendingAsync(court.Id)).Count);
        Assert.Equal(DigestState.Frozen, (await _digests.GetAsync(daca.Id, Key))?.State);

        // A new match arriving before the retry waits for the next period: the lists are frozen.
        var late = await ArticleAsync("late", "Court adjourns");
        await MatchAsync(court, late, minutesAgo: 1);
        _time.Advance(TimeSpan.FromMinutes(5));
        var retry = await _handler.HandleAsync(message);
        await _handler.HandleAsync(message);

        Assert.Equal(DigestSendOutcome.Sent, retry.Outcome);
        var email = Assert.Single(_smtp.Messages);
        Assert.Equal("3 new articles for \"DACA\" and \"court\"", email.Subject);
        Assert.DoesNotContain("Court adjourns", email.TextBody);
        Assert.Equal(Now, email.Date);
        Assert.Empty(await _matches.ListPendingAsync(daca.Id));
        Assert.Equal(late.Id, Assert.Single(await _matches.ListPendingAsync(court.Id)).ArticleId);
        Assert.Equal(DigestState.Sent, (await _digests.GetAsync(court.Id, Key))?.State);
    }

    [Fact]
    public async Task A_crash_after_some_sections_were_marked_finishes_without_sending_again()
    {
        var (daca, court, _) = await TwoQueriesAsync();
        await _scheduler.HandleAsync();
        var message = Assert.Single(await DrainAsync());
        _smtp.FailNext(1);
        // A refusal is not thrown (that would end in the poison queue): the send is deferred with a retry queued.
        Assert.Equal(DigestSendOutcome.Deferred, (await _handler.HandleAsync(message)).Outcome);
        // The state an attempt leaves when the server accepted and it died after marking the first section only.
        var lead = await _digests.GetAsync(daca.Id, Key);
        await _matches.MarkDeliveredAsync(daca.Id, lead!.Sections![0].ArticleIds, Key);

        var result = await _handler.HandleAsync(message);

        Assert.Equal(DigestSendOutcome.AlreadyDone, result.Outcome);
        Assert.Empty(_smtp.Messages);
        Assert.Empty(await _matches.ListPendingAsync(court.Id));
        Assert.Equal(DigestState.Sent, (await _digests.GetAsync(daca.Id, Key))?.State);
        Assert.Equal(DigestState.Sent, (await _digests.GetAsync(court.Id, Key))?.State);
    }

    [Fact]
    public async Task A_paused_lead_still_sends_the_other_sections_and_its_own_matches_wait()
    {
        var (daca, court, _) = await TwoQueriesAsync();
        await _scheduler.HandleAsync();
        var message = Assert.Single(await DrainAsync());
        await _subscriptions.UpsertAsync(daca with { Status = SubscriptionStatus.Paused });

        var result = await _handler.HandleAsync(message);

        Assert.Equal(DigestSendOutcome.Sent, result.Outcome);
        var email = Assert.Single(_smtp.Messages);
        Assert.Equal("2 new articles for \"court\"", email.Subject);
        Assert.Equal(2, (await _matches.ListPendingAsync(daca.Id)).Count);
        Assert.Empty(await _matches.ListPendingAsync(court.Id));
        Assert.Equal(DigestState.Skipped, (await _digests.GetAsync(daca.Id, Key))?.State);
        Assert.Equal(DigestState.Sent, (await _digests.GetAsync(court.Id, Key))?.State);
    }

    [Fact]
    public async Task Caps_apply_within_each_section()
    {
        var capped = await SubscriptionAsync("DACA", minutesOld: 10, maxItems: 1);
        var open = await SubscriptionAsync("asylum", minutesOld: 5);
        for (var n = 1; n <= 3; n++)
        {
            await MatchAsync(capped, await ArticleAsync($"d{n}", $"DACA story {n}"), minutesAgo: 30 + n);
            await MatchAsync(open, await ArticleAsync($"a{n}", $"asylum story {n}"), minutesAgo: 30 + n);
        }
        await _scheduler.HandleAsync();

        await _handler.HandleAsync(Assert.Single(await DrainAsync()));

        var email = Assert.Single(_smtp.Messages);
        Assert.StartsWith("6 new articles", email.Subject);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(email.TextBody ?? "", "About DACA story"));
        Assert.Equal(3, System.Text.RegularExpressions.Regex.Matches(email.TextBody ?? "", "About asylum story").Count);
        Assert.Contains("2 more:", email.TextBody);
        Assert.Empty(await _matches.ListPendingAsync(capped.Id));
    }
}
