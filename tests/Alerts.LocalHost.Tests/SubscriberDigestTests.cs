using System.Net;
using System.Net.Http.Json;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>Subscriber choices seen through the whole pipeline: pause and resume, and the per-digest cap.</summary>
[Collection(StorageCollection.Name)]
public sealed class SubscriberDigestTests(AzuriteFixture azurite)
{
    private const string Jane = "jane@example.test";
    private static readonly DateTimeOffset EightOhOne = LocalHostHarness.Start.AddHours(2).AddMinutes(1);

    [Fact]
    public async Task A_paused_alert_sends_nothing_and_after_resuming_only_new_articles_arrive()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var token = host.Service<SubscriptionLinks>().Tokens.Create(daca.Id, TokenPurpose.Manage);
        Assert.Equal(HttpStatusCode.Redirect, (await Manage(host, token, "pause", daca.Id)).StatusCode);

        host.Feeds.SetFeed("/news.xml", "Capitol News");
        host.Feeds.AddItem("/news.xml", "Senate hears DACA recipients", "https://news.test/daca-hearing", "Recipients of DACA testified.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/news.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();
        host.Clock.SetUtcNow(EightOhOne);
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();
        Assert.Empty(host.Smtp.Messages);

        Assert.Equal(HttpStatusCode.Redirect, (await Manage(host, token, "resume", daca.Id)).StatusCode);
        host.Feeds.AddItem("/news.xml", "DACA ruling expected Friday", "https://news.test/daca-ruling", "The court will rule on DACA.");
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();
        host.Clock.SetUtcNow(EightOhOne.AddDays(1));
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();

        var digest = Assert.Single(host.Smtp.Messages);
        Assert.Contains("https://news.test/daca-ruling", digest.HtmlBody);
        Assert.DoesNotContain("https://news.test/daca-hearing", digest.HtmlBody);
    }

    [Fact]
    public async Task A_capped_digest_shows_the_chosen_number_in_full_and_lists_the_rest()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var subscribe = await host.Http.PostAsJsonAsync("/api/subscriptions", new { email = Jane, query = "DACA", frequency = "daily", maxItems = 1 });
        Assert.Equal(HttpStatusCode.Accepted, subscribe.StatusCode);
        await host.WaitForQueuesToDrainAsync(); // the request is stored after the answer
        var pending = Assert.Single(await host.Service<SubscriptionStore>().ListByEmailAsync(Jane));
        Assert.Equal(1, pending.MaxItems);
        var confirm = host.Service<SubscriptionLinks>().Tokens.Create(pending.Id, TokenPurpose.Confirm);
        await host.ConfirmAsync(confirm);

        host.Feeds.SetFeed("/news.xml", "Capitol News");
        host.Feeds.AddItem("/news.xml", "Senate hears DACA recipients", "https://news.test/1", "Recipients of DACA testified.");
        host.Feeds.AddItem("/news.xml", "Governors split over DACA", "https://news.test/2", "Some back DACA, some do not.");
        host.Feeds.AddItem("/news.xml", "DACA ruling expected Friday", "https://news.test/3", "The court will rule on DACA.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/news.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();
        host.Smtp.Clear();
        host.Clock.SetUtcNow(EightOhOne);
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();

        var digest = Assert.Single(host.Smtp.Messages);
        Assert.Contains("3 new articles", digest.Subject);
        Assert.Contains("2 more:", digest.TextBody);
        foreach (var n in new[] { 1, 2, 3 })
            Assert.Contains($"https://news.test/{n}", digest.HtmlBody);
    }

    [Fact]
    public async Task Two_queries_of_one_address_on_one_schedule_arrive_as_one_grouped_digest_and_one_click_stops_every_alert_in_it()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        host.Clock.Advance(TimeSpan.FromMinutes(1)); // DACA is the older subscription, so its section comes first
        var court = await host.SubscribeAndConfirmAsync("court", Frequency.Daily, Jane);

        host.Feeds.SetFeed("/news.xml", "Capitol News");
        host.Feeds.AddItem("/news.xml", "DACA case goes to court", "https://news.test/shared", "Lawyers for DACA recipients went to court.");
        host.Feeds.AddItem("/news.xml", "DACA renewals reopen", "https://news.test/daca", "Applications for DACA reopen.");
        host.Feeds.AddItem("/news.xml", "Court hears tax case", "https://news.test/court", "The court heard arguments.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/news.xml"))).StatusCode);
        await host.WaitForQueuesToDrainAsync();
        host.Smtp.Clear();
        host.Clock.SetUtcNow(EightOhOne);
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();

        // One email, a section per query, the shared article once with the other query noted.
        var digest = Assert.Single(host.Smtp.Messages);
        Assert.Equal("3 new articles for \"DACA\" and \"court\"", digest.Subject);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(digest.HtmlBody ?? "", "href=\"https://news.test/shared\""));
        Assert.Contains("Also matches: &quot;court&quot;", digest.HtmlBody);
        foreach (var link in new[] { "https://news.test/daca", "https://news.test/court" })
            Assert.Contains(link, digest.HtmlBody);
        var unsubscribeUrl = System.Text.RegularExpressions.Regex.Matches(digest.Headers["List-Unsubscribe"] ?? "", "<([^>]+)>")
            .Select(m => m.Groups[1].Value).First(u => u.StartsWith("http", StringComparison.Ordinal));

        // One-click from the mail client stops everything the email carried (issue 15): both alerts, through the real endpoint.
        host.Smtp.Clear();
        var oneClick = await host.Http.PostAsync(unsubscribeUrl,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(HttpStatusCode.OK, oneClick.StatusCode);
        var store = host.Service<SubscriptionStore>();
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await store.GetAsync(daca.Id))?.Status);
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await store.GetAsync(court.Id))?.Status);

        // The next day brings a new match for both queries, and nothing is sent: the mail provider's unsubscribe held.
        host.Feeds.AddItem("/news.xml", "DACA court date set", "https://news.test/next", "The court set a date for the DACA case.");
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();
        host.Clock.SetUtcNow(EightOhOne.AddDays(1));
        await host.RunTimerAsync("ScheduleDigests");
        await host.WaitForQueuesToDrainAsync();
        Assert.Empty(host.Smtp.Messages);
    }

    private static Task<HttpResponseMessage> Manage(LocalHostHarness host, string token, string action, string id) =>
        host.Http.PostAsync("/manage", new FormUrlEncodedContent(new Dictionary<string, string> { ["token"] = token, ["action"] = action, ["id"] = id }));
}
