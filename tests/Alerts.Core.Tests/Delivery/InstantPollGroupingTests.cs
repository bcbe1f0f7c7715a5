using System.Text.RegularExpressions;
using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using MimeKit;

namespace Alerts.Core.Tests.Delivery;

/// <summary>
/// Instant alerts of one address: every match of one poll, whichever of the address's alerts it matched, arrives in
/// one email with a section per alert, each story once, however the messages run.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class InstantPollGroupingTests(AzuriteFixture fixture)
{
    private const int Workers = 8;
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Three_instant_alerts_of_one_address_matching_stories_of_one_poll_arrive_as_one_email_with_each_story_once()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var alerts = new[]
        {
            await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant),
            await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant),
            await host.SubscribeAsync("reader@example.com", "\"sanctuary city\"", Frequency.Instant),
        };
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await host.PublishAsync("sanctuary", "Council debates sanctuary city rules", "A sanctuary city vote.");

        await MatchAllThenSendAllAsync(host);

        var email = Assert.Single(host.Smtp.Messages);
        Assert.Equal("reader@example.com", email.To.Mailboxes.Single().Address);
        Assert.StartsWith("3 new articles for ", email.Subject, StringComparison.Ordinal);
        foreach (var story in new[] { "daca", "asylum", "sanctuary" })
            Assert.Equal(1, Shows(email, story));
        foreach (var s in alerts)
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task A_poll_matched_story_by_story_while_another_worker_sends_every_visible_alert_still_arrives_as_one_email()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, new Dictionary<string, string?> { ["Delivery:InstantGatherFor"] = "00:00:03" });
        var alerts = new[]
        {
            await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant),
            await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant),
        };
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await host.PublishAsync("daca2", "DACA court date set", "About DACA.");

        // The poll's matching spread over time (many instances, any order): after each story another worker takes
        // every alert it can see and sends it.
        var matcher = host.Get<ArticleMatchHandler>();
        var sender = host.Get<DigestSendHandler>();
        foreach (var body in await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.ArticleMatch)))
        {
            await matcher.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(body));
            foreach (var alert in await AlertMessagesAsync(host))
                await sender.HandleAsync(alert);
        }
        Assert.Empty(host.Smtp.Messages); // every alert still hidden for the gather window
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var email = Assert.Single(host.Smtp.Messages);
        Assert.Equal([1, 1, 1], new[] { "daca", "asylum", "daca2" }.Select(s => Shows(email, s)));
        await AssertNothingLeftAsync(host, alerts);
    }

    [Fact]
    public async Task Two_addresses_with_overlapping_queries_get_one_email_each_with_their_own_stories()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        await host.SubscribeAsync("first@example.com", "DACA", Frequency.Instant);
        await host.SubscribeAsync("first@example.com", "asylum", Frequency.Instant);
        await host.SubscribeAsync("second@example.com", "asylum", Frequency.Instant);
        await host.SubscribeAsync("second@example.com", "court", Frequency.Instant);
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await host.PublishAsync("court", "Court hears tax case", "About a court.");

        await MatchAllThenSendAllAsync(host);

        var byAddress = host.Smtp.Messages.GroupBy(m => m.To.Mailboxes.Single().Address).ToDictionary(g => g.Key, g => g.ToList());
        Assert.Equal(2, byAddress.Count);
        var first = Assert.Single(byAddress["first@example.com"]);
        var second = Assert.Single(byAddress["second@example.com"]);
        Assert.Equal([1, 1, 0], new[] { "daca", "asylum", "court" }.Select(s => Shows(first, s)));
        Assert.Equal([0, 1, 1], new[] { "daca", "asylum", "court" }.Select(s => Shows(second, s)));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task A_story_matching_two_alerts_of_the_address_is_shown_once_and_notes_the_other_alert()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var daca = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        var asylum = await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant);
        await host.PublishAsync("both", "DACA and asylum rules change together", "About DACA and asylum.");
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");

        await MatchAllThenSendAllAsync(host);

        var email = Assert.Single(host.Smtp.Messages);
        Assert.StartsWith("2 new articles for ", email.Subject, StringComparison.Ordinal);
        Assert.Equal(1, Shows(email, "both"));
        Assert.Equal(1, Shows(email, "daca"));
        Assert.Contains("Also matches: \"", email.TextBody, StringComparison.Ordinal);
        // Both alerts' matches of the shared story are delivered, by the one email.
        foreach (var s in new[] { daca, asylum })
            Assert.All(await host.Get<MatchStore>().ListAsync(s.Id), m => Assert.NotNull(m.DeliveredIn));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task Eight_handlers_on_every_match_and_alert_message_of_a_poll_send_one_email_per_address_round_after_round()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var queries = new[] { "DACA", "asylum", "court" };
        foreach (var address in new[] { "first@example.com", "second@example.com" })
            foreach (var query in queries)
                await host.SubscribeAsync(address, query, Frequency.Instant);
        const int Rounds = 3;
        for (var round = 0; round < Rounds; round++)
        {
            // A new poll each round: its stories share a first-seen time of their own.
            host.Time.Advance(TimeSpan.FromMinutes(5));
            foreach (var query in queries)
                await host.PublishAsync($"r{round}-{query}", $"Round {round} story on {query}", $"About {query}.");

            var matcher = host.Get<ArticleMatchHandler>();
            var matchMessages = await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.ArticleMatch));
            await ParallelWork.AllAtOnceAsync(matchMessages.Select(m => (Func<Task>)(() => matcher.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(m)))), Workers);
            var sender = host.Get<DigestSendHandler>();
            var sendMessages = await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.DigestSend));
            await ParallelWork.AllAtOnceAsync(sendMessages.Select(m => (Func<Task>)(() => sender.HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(m)))), Workers);

            var emails = host.Smtp.Messages.Where(m => (m.TextBody ?? "").Contains($"/r{round}-", StringComparison.Ordinal)).ToList();
            Assert.Equal(2, emails.Count);
            Assert.Equal(2, emails.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
            Assert.All(emails, e => Assert.All(queries, q => Assert.Equal(1, Shows(e, $"r{round}-{q}"))));
        }
        Assert.Equal(2 * Rounds, host.Smtp.Messages.Count);
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task A_match_of_the_poll_written_after_its_email_froze_gets_an_email_of_its_own_exactly_once()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var daca = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        var asylum = await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant);
        var court = await host.SubscribeAsync("reader@example.com", "court", Frequency.Instant);
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        // The same poll's later stories, matched only now: one for an alert that has a section in the sent email, one
        // for an alert that had nothing in it.
        await host.PublishAsync("asylum2", "Asylum office reopens", "About asylum.");
        await host.PublishAsync("court", "Court hears tax case", "About a court.");
        await MatchAllThenSendAllAsync(host);

        var emails = host.Smtp.Messages;
        Assert.Equal(3, emails.Count);
        var first = Assert.Single(emails, e => Shows(e, "daca") == 1);
        Assert.Equal(1, Shows(first, "asylum"));
        foreach (var late in new[] { "asylum2", "court" })
        {
            var own = Assert.Single(emails, e => Shows(e, late) > 0);
            Assert.Equal(1, Shows(own, late));
            Assert.StartsWith("1 new article for ", own.Subject, StringComparison.Ordinal);
        }
        await AssertNothingLeftAsync(host, daca, asylum, court);
    }

    [Fact]
    public async Task A_story_of_the_poll_matched_after_its_email_froze_by_two_alerts_of_the_address_arrives_once_in_one_more_email()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var (daca, asylum) = await TwoAlertsAndALateStoryBothMatchAsync(host);
        // And a late story for just one of them.
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await MatchAllThenSendAllAsync(host);

        var emails = host.Smtp.Messages;
        Assert.Equal(3, emails.Count);
        Assert.All(new[] { "daca", "both", "asylum" }, story => Assert.Equal(1, emails.Sum(e => Shows(e, story))));
        var late = Assert.Single(emails, e => Shows(e, "both") == 1);
        Assert.StartsWith("1 new article for ", late.Subject, StringComparison.Ordinal);
        Assert.Contains("Also matches: \"", late.TextBody, StringComparison.Ordinal);
        await AssertNothingLeftAsync(host, daca, asylum);
    }

    [Fact]
    public async Task A_match_written_after_the_late_email_of_its_story_went_out_is_not_sent_again()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var (daca, asylum) = await TwoAlertsAndALateStoryBothMatchAsync(host);
        // The DACA alert's late email of the story froze and claimed the asylum alert, which then had nothing pending.
        var held = await MatchAllHoldingBackAsync(host, asylum);
        await held.Sender.HandleAsync(Assert.Single(held.Messages, m => m.SubscriptionId == daca.Id));
        await held.RedeliverAsync();
        foreach (var message in held.Messages)
            await held.Sender.HandleAsync(message);

        // The story went out in the late email for the DACA alert, so the asylum alert's match of it is retired, not
        // sent in an email of its own.
        var emails = host.Smtp.Messages;
        Assert.Equal(2, emails.Count);
        Assert.Equal(1, emails.Sum(e => Shows(e, "both")));
        Assert.All(emails, e => Assert.StartsWith("1 new article for ", e.Subject, StringComparison.Ordinal));
        await AssertNothingLeftAsync(host, daca, asylum);
    }

    [Fact]
    public async Task A_match_written_after_its_story_reached_the_address_through_another_alert_is_not_sent_again()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var (daca, asylum) = await TwoAlertsAndAStoryBothMatchAsync(host);
        // The poll's email carries the story for the DACA alert and goes out.
        var held = await MatchAllHoldingBackAsync(host, asylum);
        await held.Sender.HandleAsync(Assert.Single(held.Messages, m => m.SubscriptionId == daca.Id));
        Assert.Single(host.Smtp.Messages);
        await held.RedeliverAsync();
        foreach (var message in held.Messages)
            await held.Sender.HandleAsync(message);

        var email = Assert.Single(host.Smtp.Messages);
        Assert.Equal(1, Shows(email, "both"));
        await AssertNothingLeftAsync(host, daca, asylum);
    }

    [Fact]
    public async Task A_late_match_of_a_story_whose_email_for_another_alert_has_not_gone_yet_reaches_the_address_once_and_that_email_keeps_its_other_stories()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var (daca, asylum) = await TwoAlertsAndAStoryBothMatchAsync(host);
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        var held = await MatchAllHoldingBackAsync(host, asylum);
        // The poll's email, with both stories for the DACA alert, is frozen but the relay says "try later".
        host.Smtp.TryLater = true;
        await held.Sender.HandleAsync(held.Messages.First(m => m.SubscriptionId == daca.Id));
        host.Smtp.TryLater = false;
        Assert.Empty(host.Smtp.Messages);
        await held.RedeliverAsync();
        await held.Sender.HandleAsync(Assert.Single(held.Messages, m => m.SubscriptionId == asylum.Id));

        // Nothing says the story reached the address yet, so the asylum alert's late match is not dropped.
        var late = Assert.Single(host.Smtp.Messages);
        Assert.Equal(1, Shows(late, "both"));
        // The deferred email's retry finds the story sent meanwhile and leaves it out; its other story still goes.
        await host.DrainAsync(TimeSpan.FromSeconds(60));
        var emails = host.Smtp.Messages;
        Assert.Equal(2, emails.Count);
        Assert.Equal(1, emails.Sum(e => Shows(e, "both")));
        Assert.Equal(1, emails.Sum(e => Shows(e, "daca")));
        await AssertNothingLeftAsync(host, daca, asylum);
    }

    [Fact]
    public async Task A_member_paused_between_matching_and_sending_is_left_out_of_the_email_and_not_sent_later()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, new Dictionary<string, string?> { ["Delivery:SweepAfter"] = "00:00:01" });
        await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        var asylum = await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant);
        await host.SubscribeAsync("reader@example.com", "court", Frequency.Instant);
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await host.PublishAsync("court", "Court hears tax case", "About a court.");
        await MatchAllAsync(host);

        await host.Get<SubscriptionStore>().UpsertAsync(asylum with { Status = SubscriptionStatus.Paused });
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.Get<DeliverySweep>().HandleAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var email = Assert.Single(host.Smtp.Messages);
        Assert.StartsWith("2 new articles for ", email.Subject, StringComparison.Ordinal);
        Assert.Equal([1, 0, 1], new[] { "daca", "asylum", "court" }.Select(s => Shows(email, s)));
        Assert.Single(await host.Get<MatchStore>().ListPendingAsync(asylum.Id));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task When_the_lead_changes_between_two_messages_of_a_poll_each_story_still_arrives_exactly_once()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, new Dictionary<string, string?> { ["Delivery:SweepAfter"] = "00:00:01" });
        // Ids fixed so that the lead (the smallest id of the address's active instant alerts) is known.
        var store = host.Get<SubscriptionStore>();
        var alerts = new List<Subscription>();
        foreach (var (query, i) in new[] { "DACA", "asylum", "court" }.Select((q, i) => (q, i)))
        {
            var s = new Subscription(new string('0', 31) + (i + 1), "reader@example.com", query, Frequency.Instant, SubscriptionStatus.Active,
                Now.AddDays(-30), Now.AddDays(-30), "UTC");
            await store.AddAsync(s);
            alerts.Add(s);
        }
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await host.PublishAsync("court", "Court hears tax case", "About a court.");
        await MatchAllAsync(host);
        var messages = await AlertMessagesAsync(host);
        var sender = host.Get<DigestSendHandler>();

        // The lead is paused while the third alert's message runs: the second leads an email of the second and third.
        await store.UpsertAsync(alerts[0] with { Status = SubscriptionStatus.Paused });
        await sender.HandleAsync(Assert.Single(messages, m => m.SubscriptionId == alerts[2].Id));
        // Resumed before its own message runs: it leads again, and its story comes in an email of its own.
        await store.UpsertAsync(alerts[0]);
        foreach (var message in messages)
            await sender.HandleAsync(message);
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.Get<DeliverySweep>().HandleAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var emails = host.Smtp.Messages;
        Assert.Equal(2, emails.Count);
        Assert.All(new[] { "daca", "asylum", "court" }, story => Assert.Equal(1, emails.Sum(e => Shows(e, story))));
        Assert.Single(emails, e => Shows(e, "asylum") == 1 && Shows(e, "court") == 1);
        foreach (var s in alerts)
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task The_sweep_sends_a_poll_whose_alert_messages_were_all_lost_as_one_email_per_address()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, new Dictionary<string, string?> { ["Delivery:SweepAfter"] = "00:00:01" });
        var alerts = new[]
        {
            await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant),
            await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant),
        };
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        await MatchAllAsync(host);
        await host.Storage.Queue(QueueNames.DigestSend).ClearMessagesAsync();

        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(2, await host.Get<DeliverySweep>().HandleAsync());
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var email = Assert.Single(host.Smtp.Messages);
        Assert.Equal([1, 1], new[] { "daca", "asylum" }.Select(s => Shows(email, s)));
        foreach (var s in alerts)
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(0, await host.Get<DeliverySweep>().HandleAsync());
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task A_lead_that_died_after_claiming_its_members_and_before_freezing_still_sends_the_poll_once_through_the_sweep()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now, new Dictionary<string, string?> { ["Delivery:SweepAfter"] = "00:00:01" });
        var alerts = new[]
        {
            await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant),
            await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant),
            await host.SubscribeAsync("reader@example.com", "court", Frequency.Instant),
        };
        var lead = alerts.Select(a => a.Id).Order(StringComparer.Ordinal).First();
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        var article = await host.PublishAsync("court", "Court hears tax case", "About a court.");
        await MatchAllAsync(host);
        await host.Storage.Queue(QueueNames.DigestSend).ClearMessagesAsync();
        // The lead's worker claimed every member's row for the poll, then died before its own row was written.
        var key = DigestSendHandler.PollKey(article.Id, article.FirstSeenAt);
        var polls = new InstantPollGroups(host.Get<DigestStore>(), host.Get<SubscriptionStore>(), host.Time);
        Assert.Equal(3, (await polls.MembersAsync(lead, key, CancellationToken.None)).Count);
        Assert.Null(await host.Get<DigestStore>().GetAsync(lead, key));

        host.Time.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(3, await host.Get<DeliverySweep>().HandleAsync());
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var email = Assert.Single(host.Smtp.Messages);
        Assert.Equal([1, 1, 1], new[] { "daca", "asylum", "court" }.Select(s => Shows(email, s)));
        foreach (var s in alerts)
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task A_member_made_after_the_poll_was_first_seen_gets_none_of_it_while_the_others_get_their_email()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var daca = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        var article = await host.PublishAsync("daca", "DACA and asylum rules change", "About DACA and asylum.");
        var asylum = await host.PublishAsync("asylum", "Asylum hearings resume", "About asylum.");
        // Subscribed after the stories were first seen; a redelivered article-match recorded its matches anyway.
        var late = new Subscription(SubscriptionStore.NewId(), "reader@example.com", "asylum", Frequency.Instant, SubscriptionStatus.Active,
            Now.AddMinutes(1), Now.AddMinutes(1), "UTC");
        await host.Get<SubscriptionStore>().AddAsync(late);
        host.Time.Advance(TimeSpan.FromMinutes(2));
        var matches = host.Get<MatchStore>();
        foreach (var id in new[] { article.Id, asylum.Id })
            await matches.TryAddAsync(new MatchRecord(late.Id, id, Now, [], ArticleFirstSeenAt: Now));

        await MatchAllThenSendAllAsync(host);
        await host.Get<DigestSendHandler>().HandleAsync(new DigestSendMessage(late.Id, DigestSendHandler.PollKey(article.Id, article.FirstSeenAt), ArticleId: article.Id));

        var email = Assert.Single(host.Smtp.Messages);
        Assert.StartsWith("1 new article for ", email.Subject, StringComparison.Ordinal);
        Assert.Equal([1, 0], new[] { "daca", "asylum" }.Select(s => Shows(email, s)));
        Assert.Empty(await matches.ListAsync(late.Id));
        Assert.Empty(await matches.ListPendingAsync(daca.Id));
        Assert.Empty(host.Failures);
    }

    /// <summary>How many times the email's text links to the story (each story shown once links once).</summary>
    private static int Shows(MimeMessage email, string itemKey) =>
        Regex.Matches(email.TextBody ?? "", "https://news\\.example\\.com/" + Regex.Escape(itemKey) + "(?![\\w-])").Count;

    /// <summary>
    /// Two instant alerts of one address, their poll's email sent (a DACA story), and a later story of the same poll that
    /// both match, published but not matched yet: matched now, it is too late for that email.
    /// </summary>
    private static async Task<(Subscription Daca, Subscription Asylum)> TwoAlertsAndALateStoryBothMatchAsync(DeliveryHarness host)
    {
        var daca = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        var asylum = await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant);
        await host.PublishAsync("daca", "DACA renewals reopen", "About DACA.");
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        await host.PublishAsync("both", "DACA and asylum rules change together", "About DACA and asylum.");
        return (daca, asylum);
    }

    private static async Task<(Subscription Daca, Subscription Asylum)> TwoAlertsAndAStoryBothMatchAsync(DeliveryHarness host)
    {
        var daca = await host.SubscribeAsync("reader@example.com", "DACA", Frequency.Instant);
        var asylum = await host.SubscribeAsync("reader@example.com", "asylum", Frequency.Instant);
        await host.PublishAsync("both", "DACA and asylum rules change together", "About DACA and asylum.");
        return (daca, asylum);
    }

    /// <summary>The alert messages and the sender after a match pass in which one match write failed.</summary>
    private sealed record HeldBackMatch(DigestSendHandler Sender, List<DigestSendMessage> Messages, Func<Task> RedeliverAsync);

    /// <summary>
    /// Runs every article-match message as if <paramref name="held"/>'s one match write had failed: its match is taken
    /// out again. <see cref="HeldBackMatch.RedeliverAsync"/> writes it, as the redelivered message would, later.
    /// </summary>
    private static async Task<HeldBackMatch> MatchAllHoldingBackAsync(DeliveryHarness host, Subscription held)
    {
        await MatchAllAsync(host);
        var matches = host.Get<MatchStore>();
        var match = Assert.Single(await matches.ListPendingAsync(held.Id));
        await matches.DeleteAsync(held.Id, [match.ArticleId]);
        return new(host.Get<DigestSendHandler>(), await AlertMessagesAsync(host), async () => Assert.True(await matches.TryAddAsync(match)));
    }

    /// <summary>Every alert message queued so far, one per subscription (a batch's More split out), without running them.</summary>
    private static async Task<List<DigestSendMessage>> AlertMessagesAsync(DeliveryHarness host) =>
        (await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.DigestSend)))
            .Select(QueueMessages.Deserialize<DigestSendMessage>)
            .SelectMany(m => (m.More ?? []).Prepend(m.SubscriptionId).Select(id => new DigestSendMessage(id, m.DigestKey, ArticleId: m.ArticleId)))
            .ToList();

    /// <summary>No match left pending, nothing for the sweep an hour later, and no handler failed.</summary>
    private static async Task AssertNothingLeftAsync(DeliveryHarness host, params Subscription[] alerts)
    {
        foreach (var s in alerts)
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        host.Time.Advance(TimeSpan.FromHours(1));
        Assert.Equal(0, await host.Get<DeliverySweep>().HandleAsync());
        Assert.Empty(host.Failures);
    }

    /// <summary>Every article-match message of the poll first, then every alert message they queued, as a drained queue runs them.</summary>
    private static async Task MatchAllThenSendAllAsync(DeliveryHarness host)
    {
        await MatchAllAsync(host);
        await host.DrainAsync(TimeSpan.FromSeconds(30));
    }

    /// <summary>Every article-match message queued so far, one after another; what they queue stays queued.</summary>
    private static async Task MatchAllAsync(DeliveryHarness host)
    {
        var matcher = host.Get<ArticleMatchHandler>();
        foreach (var body in await ParallelWork.ReceiveAllAsync(host.Storage.Queue(QueueNames.ArticleMatch)))
            await matcher.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(body));
    }
}
