using System.Net;
using System.Text.RegularExpressions;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

/// <summary>"Email me a link to my alerts" on the subscribe page: the way back to one's alerts without an old email.</summary>
[Collection(BrowserCollection.Name)]
public sealed partial class ManageLinkPageTests(BrowserFixture browser, AzuriteFixture azurite)
{
    [Fact]
    public async Task A_subscriber_gets_a_manage_link_from_the_subscribe_page_and_an_unknown_address_gets_the_same_page_and_no_email()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await host.Service<SubscriptionStore>().UpsertAsync(new Subscription(SubscriptionStore.NewId(), "jane@example.test", "DACA",
            Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UtcNow, ConfirmedAt: DateTimeOffset.UtcNow));

        var (known, knownStatus) = await AskAsync(host, "jane@example.test");
        var email = await host.EmailToAsync("jane@example.test");
        var (unknown, unknownStatus) = await AskAsync(host, "nobody@example.test");
        await QueueDrainedAsync(host);

        Assert.Equal(200, knownStatus);
        Assert.Equal(200, unknownStatus);
        Assert.Contains("If this address has alerts, a link to them is on its way", known);
        Assert.Equal(known, unknown);
        Assert.Single(host.Smtp.Messages);
        Assert.DoesNotContain(host.Smtp.Messages, m => m.To.Mailboxes.Any(a => a.Address == "nobody@example.test"));

        // The emailed link opens the manage page of the address.
        var page = await browser.NewPageAsync();
        await page.GotoAsync(ManageUrl().Match(email.TextBody ?? "").Value);
        await Assertions.Expect(page.GetByText("DACA").First).ToBeVisibleAsync();
    }

    [Fact]
    public async Task An_invalid_address_is_a_400_with_the_message_next_to_the_field_and_nothing_is_queued()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Address you subscribed with").FillAsync("not-an-address");
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Email me a link to my alerts" }).ClickAsync(),
            r => r.Url.EndsWith("/subscribe/manage-link", StringComparison.Ordinal));

        Assert.Equal(400, response.Status);
        await Assertions.Expect(page.Locator("#manage-email-error")).ToContainTextAsync("This is not a valid email address.");
        await Assertions.Expect(page.GetByLabel("Address you subscribed with")).ToHaveValueAsync("not-an-address");
        var properties = await host.Service<AlertsStorage>().Queue(QueueNames.ManageLinkRequest).GetPropertiesAsync();
        Assert.Equal(0, properties.Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Asking_too_often_for_one_address_is_a_429_that_reads_the_same_whether_or_not_the_address_has_alerts()
    {
        const int limit = 2;
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false,
            extraSettings: new Dictionary<string, string?> { ["SubscribeLimits:PerAddressPerDay"] = limit.ToString() });
        await host.Service<SubscriptionStore>().UpsertAsync(new Subscription(SubscriptionStore.NewId(), "jane@example.test", "DACA",
            Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UtcNow, ConfirmedAt: DateTimeOffset.UtcNow));

        foreach (var address in new[] { "jane@example.test", "nobody@example.test" })
            for (var i = 0; i < limit; i++)
                Assert.Equal(HttpStatusCode.OK, (await PostAsync(host, address)).StatusCode);
        var known = await PostAsync(host, "jane@example.test");
        // The same mailbox however it is written: plus tags and case do not buy more emails.
        var knownAgain = await PostAsync(host, "Jane+x@Example.test");
        var unknown = await PostAsync(host, "nobody@example.test");
        await QueueDrainedAsync(host);

        Assert.Equal(HttpStatusCode.TooManyRequests, known.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, knownAgain.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, unknown.StatusCode);
        Assert.True(known.Headers.RetryAfter?.Delta > TimeSpan.Zero);
        Assert.Equal((await known.Content.ReadAsStringAsync()).Replace("jane@example.test", "ADDRESS"),
            (await unknown.Content.ReadAsStringAsync()).Replace("nobody@example.test", "ADDRESS"));
        Assert.Contains("asked for too often today", await known.Content.ReadAsStringAsync());
        Assert.Equal(limit, host.Smtp.Messages.Count(m => m.To.Mailboxes.Any(a => a.Address == "jane@example.test")));
        Assert.Equal(limit, host.Smtp.Messages.Count);
    }

    [Fact]
    public async Task One_network_asking_for_many_addresses_gets_a_429_after_its_hourly_limit()
    {
        const int limit = 3;
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false,
            extraSettings: new Dictionary<string, string?> { ["SubscribeLimits:PerClientPerHour"] = limit.ToString() });

        for (var i = 0; i < limit; i++)
            Assert.Equal(HttpStatusCode.OK, (await PostAsync(host, $"person{i}@example.test")).StatusCode);
        var refused = await PostAsync(host, "one-more@example.test");

        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Contains("Too many requests from your network", await refused.Content.ReadAsStringAsync());
        var properties = await host.Service<AlertsStorage>().Queue(QueueNames.ManageLinkRequest).GetPropertiesAsync();
        Assert.True(properties.Value.ApproximateMessagesCount <= limit);
    }

    /// <summary>Asks from the subscribe page in Chromium; returns the answer page's text and status.</summary>
    private async Task<(string Text, int Status)> AskAsync(LocalHostHarness host, string address)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Address you subscribed with").FillAsync(address);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Email me a link to my alerts" }).ClickAsync(),
            r => r.Url.EndsWith("/subscribe/manage-link", StringComparison.Ordinal));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();
        return (await page.Locator("body").InnerTextAsync(), response.Status);
    }

    private static Task<HttpResponseMessage> PostAsync(LocalHostHarness host, string address) =>
        host.Http.PostAsync("/subscribe/manage-link", new FormUrlEncodedContent(new Dictionary<string, string> { ["email"] = address }));

    /// <summary>Until every queued request was handled (deleted from the queue, not just taken), so a missing email is missing.</summary>
    private static async Task QueueDrainedAsync(LocalHostHarness host)
    {
        var queue = host.Service<AlertsStorage>().Queue(QueueNames.ManageLinkRequest);
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            Assert.True(DateTime.UtcNow < deadline, "The manage-link-request queue was not drained in 20 s.");
            await Task.Delay(100);
        }
    }

    [GeneratedRegex(@"https?://\S+/manage\?token=\S+")]
    private static partial Regex ManageUrl();
}
