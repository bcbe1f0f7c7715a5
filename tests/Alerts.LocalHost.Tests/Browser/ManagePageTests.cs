using System.Text.Json;
using System.Text.RegularExpressions;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

/// <summary>The manage page, opened from the signed link in an email: every alert of the address, and full control.</summary>
[Collection(BrowserCollection.Name)]
public sealed class ManagePageTests(BrowserFixture browser, AzuriteFixture azurite)
{
    private const string Jane = "jane@example.test";

    [Fact]
    public async Task The_manage_link_lists_every_alert_of_the_address_and_no_one_elses()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        await host.SubscribeAndConfirmAsync("\"sanctuary city\" Chicago", Frequency.Instant, Jane);
        await host.SubscribeAndConfirmAsync("<script>alert(1)</script> refugees", Frequency.Weekly, "bob@example.test");
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.Service<SubscriptionLinks>().Manage(daca.Id));

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your alerts", Exact = true })).ToBeVisibleAsync();
        await Assertions.Expect(page.Locator("section.card")).ToHaveCountAsync(2);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "DACA Active" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "\"sanctuary city\" Chicago Active" })).ToBeVisibleAsync();
        Assert.DoesNotContain("refugees", await page.ContentAsync());
    }

    [Fact]
    public async Task A_subscriber_changes_the_frequency_and_pauses_and_resumes_from_the_manage_page()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var store = host.Service<SubscriptionStore>();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Service<SubscriptionLinks>().Manage(daca.Id));
        var card = page.Locator("section.card").Filter(new() { HasText = "DACA" });

        await card.GetByText("Edit").ClickAsync();
        await card.GetByLabel("How often").SelectOptionAsync("weekly");
        await card.GetByLabel("Day (weekly)").SelectOptionAsync("Friday");
        await card.GetByLabel("Time (daily and weekly)").SelectOptionAsync("18");
        await card.GetByLabel("Time zone").FillAsync("Europe/Berlin");
        await card.GetByLabel("Label (optional)").FillAsync("Dreamers");
        await card.GetByLabel("Only from these sites (optional)").FillAsync("https://www.Reuters.com/world, apnews.com");
        await card.GetByLabel("Articles shown in full per email (optional)").FillAsync("5");
        await card.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Your changes are saved.");
        var edited = await store.GetAsync(daca.Id);
        Assert.Equal((Frequency.Weekly, DayOfWeek.Friday, 18, "Europe/Berlin", "Dreamers", 5),
            (edited!.Frequency, edited.DigestDay, edited.DigestHour, edited.TimeZone, edited.Label, edited.MaxItems));
        Assert.Equal(["reuters.com", "apnews.com"], edited.Sites);
        Assert.Equal(SubscriptionStatus.Active, edited.Status);

        await page.GetByRole(AriaRole.Button, new() { Name = "Pause alert: Dreamers" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Paused");
        Assert.Equal(SubscriptionStatus.Paused, (await store.GetAsync(daca.Id))!.Status);

        await page.GetByRole(AriaRole.Button, new() { Name = "Resume alert: Dreamers" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Resumed");
        Assert.Equal(SubscriptionStatus.Active, (await store.GetAsync(daca.Id))!.Status);
    }

    [Fact]
    public async Task An_edit_with_a_broken_query_shows_the_parser_message_on_that_field_and_changes_nothing()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Service<SubscriptionLinks>().Manage(daca.Id));
        var card = page.Locator("section.card").Filter(new() { HasText = "DACA" });

        await card.GetByText("Edit").ClickAsync();
        await card.GetByLabel("Query").FillAsync("DACA AND (court");
        await card.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        var query = page.Locator($"#query-{daca.Id}");
        await Assertions.Expect(query).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.Locator($"#query-{daca.Id}-error")).ToContainTextAsync("This ( is never closed");
        Assert.Equal("DACA", (await host.Service<SubscriptionStore>().GetAsync(daca.Id))!.Query);
    }

    [Fact]
    public async Task After_a_failed_edit_a_focused_summary_at_the_top_of_the_manage_page_names_the_alert_and_links_to_the_field()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        await host.SubscribeAndConfirmAsync("refugees", Frequency.Weekly, Jane);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Service<SubscriptionLinks>().Manage(daca.Id));
        var card = page.Locator("section.card").Filter(new() { HasText = "DACA" });

        await card.GetByText("Edit").ClickAsync();
        await card.GetByLabel("Query").FillAsync("DACA AND (court");
        await card.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        // The server's answer puts the problem first and moves focus there, not left at the top of a long page.
        var summary = page.Locator($"#error-summary-{daca.Id}");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(summary.GetByRole(AriaRole.Heading)).ToHaveTextAsync("There is a problem with alert: DACA");
        await summary.GetByRole(AriaRole.Link, new() { Name = "This ( is never closed", Exact = false }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new Regex($"#query-{daca.Id}$"));
        Assert.Equal("DACA", (await host.Service<SubscriptionStore>().GetAsync(daca.Id))!.Query);
    }

    [Fact]
    public async Task Unsubscribe_from_all_stops_every_alert_and_export_returns_the_data_as_json()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        await host.SubscribeAndConfirmAsync("refugees", Frequency.Hourly, Jane);
        var page = await browser.NewPageAsync();
        var manageUrl = host.Service<SubscriptionLinks>().Manage(daca.Id);
        await page.GotoAsync(manageUrl);

        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe from all" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Unsubscribed from all alerts");
        Assert.All(await host.Service<SubscriptionStore>().ListByEmailAsync(Jane), s => Assert.Equal(SubscriptionStatus.Unsubscribed, s.Status));

        var download = await page.RunAndWaitForDownloadAsync(() => page.GetByRole(AriaRole.Link, new() { Name = "Download my data (JSON)" }).ClickAsync());
        using var json = JsonDocument.Parse(await File.ReadAllTextAsync((await download.PathAsync())!));
        Assert.Equal(Jane, json.RootElement.GetProperty("email").GetString());
        var queries = json.RootElement.GetProperty("subscriptions").EnumerateArray().Select(s => s.GetProperty("query").GetString()).Order().ToList();
        Assert.Equal(["DACA", "refugees"], queries);
    }

    [Fact]
    public async Task Deleting_all_data_needs_the_link_emailed_to_the_address()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var store = host.Service<SubscriptionStore>();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Service<SubscriptionLinks>().Manage(daca.Id));

        await page.GetByRole(AriaRole.Button, new() { Name = "Delete all my data" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("We emailed you a link");
        Assert.NotNull(await store.GetAsync(daca.Id));

        var email = await host.Smtp.WaitForMessageAsync(m => (m.Subject ?? "").Contains("delete", StringComparison.OrdinalIgnoreCase), TimeSpan.FromSeconds(10));
        Assert.Equal(Jane, email.To.Mailboxes.Single().Address);
        var link = Regex.Match(email.TextBody ?? "", @"https?://\S+/manage/delete\?token=\S+").Value;
        await page.GotoAsync(link);
        Assert.NotNull(await store.GetAsync(daca.Id)); // the GET only asks
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete everything" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your data is deleted" })).ToBeVisibleAsync();
        Assert.Empty(await store.ListByEmailAsync(Jane));
        // The manage link of a deleted subscription no longer opens anything.
        var response = await host.Http.GetAsync(new Uri(host.Service<SubscriptionLinks>().Manage(daca.Id)).PathAndQuery);
        Assert.Equal(System.Net.HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task A_forged_or_unsubscribe_token_does_not_open_the_manage_page()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var unsubscribeToken = host.Service<SubscriptionLinks>().Tokens.Create(daca.Id, TokenPurpose.Unsubscribe);

        foreach (var token in new[] { unsubscribeToken, "forged.token", "" })
        {
            var page = await host.Http.GetAsync("/manage?token=" + Uri.EscapeDataString(token));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, page.StatusCode);
            var export = await host.Http.GetAsync("/manage/export?token=" + Uri.EscapeDataString(token));
            Assert.Equal(System.Net.HttpStatusCode.BadRequest, export.StatusCode);
        }
    }

    [Fact]
    public async Task The_manage_page_says_so_when_the_address_is_suppressed_after_repeated_hard_bounces()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Service<SubscriptionLinks>().Manage(daca.Id));
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your alerts", Exact = true })).ToBeVisibleAsync();
        Assert.Equal(0, await page.Locator("#suppressed").CountAsync());

        var deliveries = new Alerts.Core.Email.DeliveryStore(host.Storage);
        for (var i = 0; i < 3; i++)
            await deliveries.RecordHardBounceAsync(Jane, "550 5.1.1 mailbox unavailable", host.Clock.GetUtcNow(), suppressAfter: 3);
        await page.ReloadAsync();

        var notice = page.Locator("#suppressed");
        await Assertions.Expect(notice).ToContainTextAsync("We have stopped sending email to this address");
        await Assertions.Expect(notice).ToContainTextAsync("refused 3 of our emails");
        await Assertions.Expect(notice).ToContainTextAsync("550 5.1.1 mailbox unavailable");
    }

    [Fact]
    public async Task The_manage_page_answers_whether_an_article_would_match_an_alert()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA -sports", Frequency.Daily, Jane);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.Service<SubscriptionLinks>().Manage(daca.Id));

        await page.GetByText("Would an article match?").ClickAsync();
        await page.GetByLabel("Or paste the article").FillAsync("DACA ruling\nThe court ruled on DACA today.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test an article against alert: DACA -sports" }).ClickAsync();
        await Assertions.Expect(page.Locator($"#explanation-{daca.Id}")).ToContainTextAsync("Would match");

        await page.GetByLabel("Or paste the article").FillAsync("DACA and sports\nThe sports league spoke about DACA.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test an article against alert: DACA -sports" }).ClickAsync();
        await Assertions.Expect(page.Locator($"#explanation-{daca.Id}")).ToContainTextAsync("Would not match");
        await Assertions.Expect(page.Locator($"#explanation-{daca.Id}")).ToContainTextAsync("because -sports excluded it");
    }
}
