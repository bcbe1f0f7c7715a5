using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using MimeKit;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// The whole pipeline through the local host: subscribe, confirm from the email, feeds polled over HTTP, articles
/// matched, the daily digest sent by SMTP, one-click unsubscribe.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed partial class EndToEndTests(AzuriteFixture azurite)
{
    private const string Jane = "jane@example.test";

    [Fact]
    public async Task A_daily_DACA_subscriber_gets_exactly_the_DACA_article_once_and_nothing_after_unsubscribing()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);

        // Subscribe through the API, then confirm from the email: the link's GET shows a button, the POST confirms.
        var subscribe = await host.Http.PostAsJsonAsync("/api/subscriptions", new { email = Jane, query = "DACA", frequency = "daily" });
        Assert.Equal(HttpStatusCode.Accepted, subscribe.StatusCode);
        var confirmation = await host.EmailToAsync(Jane);
        var confirmUrl = EndToEndSteps.ConfirmLink(confirmation);
        var landing = await host.Http.GetAsync(confirmUrl);
        Assert.Equal(HttpStatusCode.OK, landing.StatusCode);
        Assert.Contains("<form method=\"post\"", await landing.Content.ReadAsStringAsync());
        Assert.Equal(SubscriptionStatus.Pending, (await OnlySubscriptionAsync(host)).Status);
        var confirmed = await host.ConfirmAsync(EndToEndSteps.TokenOf(confirmUrl));
        Assert.Equal(HttpStatusCode.OK, confirmed.StatusCode);
        Assert.Equal(SubscriptionStatus.Active, (await OnlySubscriptionAsync(host)).Status);

        // A feed publishes three articles, one about DACA.
        host.Feeds.SetFeed("/news.xml", "Capitol News");
        host.Feeds.AddItem("/news.xml", "Senate hears DACA recipients", "https://news.test/daca-hearing", "Recipients of DACA testified on Tuesday.");
        host.Feeds.AddItem("/news.xml", "Budget talks stall", "https://news.test/budget", "No deal on spending.");
        host.Feeds.AddItem("/news.xml", "Storm warning for the coast", "https://news.test/storm", "Forecasters expect snow.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/news.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();

        // 08:00 UTC is the default daily time: the digest goes out with exactly the DACA article.
        host.Smtp.Clear();
        host.Clock.SetUtcNow(LocalHostHarness.Start.AddHours(2).AddMinutes(1));
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();
        var digest = Assert.Single(host.Smtp.Messages);
        Assert.Contains("1 new article", digest.Subject);
        Assert.Contains("DACA", digest.Subject);
        Assert.Contains("https://news.test/daca-hearing", digest.HtmlBody);
        Assert.DoesNotContain("Budget talks stall", digest.HtmlBody);
        Assert.DoesNotContain("Storm warning", digest.TextBody);
        Assert.Equal("List-Unsubscribe=One-Click", digest.Headers["List-Unsubscribe-Post"]);
        var unsubscribeUrl = UnsubscribeUrl(digest);

        // The next poll finds nothing new (304), and the next day's digest finds nothing to send.
        host.Smtp.Clear();
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();
        Assert.True(host.Feeds.NotModifiedCount("/news.xml") >= 1, "the second poll should be answered 304");
        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();
        Assert.Empty(host.Smtp.Messages);

        // One-click unsubscribe as a mail client does it: POST, no cookies, no redirect.
        var oneClick = await host.Http.PostAsync(unsubscribeUrl,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await OnlySubscriptionAsync(host)).Status);

        // A new DACA article now reaches nobody.
        host.Feeds.AddItem("/news.xml", "DACA ruling expected Friday", "https://news.test/daca-ruling", "The court will rule on DACA.");
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();
        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();
        Assert.Empty(host.Smtp.Messages);
        Assert.Single(await host.Service<MatchStore>().ListAsync((await OnlySubscriptionAsync(host)).Id));
    }

    [Fact]
    public async Task An_instant_subscriber_gets_one_email_per_matching_article_within_the_poll_cycle()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var subscription = await host.SubscribeAndConfirmAsync("\"sanctuary city\" Chicago", Frequency.Instant);

        host.Feeds.SetFeed("/city.xml", "City Desk");
        host.Feeds.AddItem("/city.xml", "Chicago debates its sanctuary city rules", "https://city.test/1", "Council votes next week.");
        host.Feeds.AddItem("/city.xml", "Sanctuary for birds in the city", "https://city.test/2", "A new park opens in Chicago.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/city.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();

        var alert = Assert.Single(host.Smtp.Messages, m => m.To.Mailboxes.Any(a => a.Address == subscription.Email));
        Assert.Contains("https://city.test/1", alert.HtmlBody);
        Assert.DoesNotContain("Sanctuary for birds", alert.HtmlBody);
    }

    [Fact]
    public async Task Three_instant_alerts_of_one_address_get_one_email_for_the_stories_of_one_poll()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        await host.SubscribeAndConfirmAsync("DACA", Frequency.Instant);
        await host.SubscribeAndConfirmAsync("asylum", Frequency.Instant);
        await host.SubscribeAndConfirmAsync("\"sanctuary city\"", Frequency.Instant);

        host.Feeds.SetFeed("/policy.xml", "Policy Desk");
        host.Feeds.AddItem("/policy.xml", "DACA renewals reopen", "https://policy.test/1", "Applications open again.");
        host.Feeds.AddItem("/policy.xml", "Asylum hearings resume", "https://policy.test/2", "Courts reopen.");
        host.Feeds.AddItem("/policy.xml", "Council debates sanctuary city rules", "https://policy.test/3", "A vote next week.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/policy.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();

        var alert = Assert.Single(host.Smtp.Messages, m => m.To.Mailboxes.Any(a => a.Address == Jane));
        Assert.StartsWith("3 new articles for ", alert.Subject, StringComparison.Ordinal);
        foreach (var n in new[] { 1, 2, 3 })
            Assert.Single(Regex.Matches(alert.TextBody ?? "", $"https://policy\\.test/{n}(?!\\d)"));
    }

    private static async Task<Subscription> OnlySubscriptionAsync(LocalHostHarness host)
    {
        var all = new List<Subscription>();
        await foreach (var s in host.Service<SubscriptionStore>().ListAsync())
            all.Add(s);
        return Assert.Single(all);
    }

    private static string UnsubscribeUrl(MimeMessage message)
    {
        var header = message.Headers["List-Unsubscribe"];
        var https = Regex.Matches(header ?? "", "<([^>]+)>").Select(m => m.Groups[1].Value).First(u => u.StartsWith("http", StringComparison.Ordinal));
        return https;
    }
}
