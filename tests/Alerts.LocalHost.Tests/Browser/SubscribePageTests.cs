using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

[Collection(BrowserCollection.Name)]
public sealed class SubscribePageTests(BrowserFixture browser, AzuriteFixture azurite)
{
    [Fact]
    public async Task A_person_subscribes_with_the_form_and_confirms_from_the_email()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("jane@example.test");
        await page.GetByLabel("Query").FillAsync("DACA");
        await page.GetByLabel("How often").SelectOptionAsync("daily");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();

        var email = await host.EmailToAsync("jane@example.test");
        var link = EndToEndSteps.ConfirmLink(email);
        await page.GotoAsync(link);
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm subscription" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You're subscribed" })).ToBeVisibleAsync();

        var subscription = Assert.Single(await host.Service<SubscriptionStore>().ListByEmailAsync("jane@example.test"));
        Assert.Equal(SubscriptionStatus.Active, subscription.Status);
    }

    [Fact]
    public async Task A_query_that_does_not_parse_shows_the_parser_message_next_to_the_query_field()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("jane@example.test");
        await page.GetByLabel("Query").FillAsync("\"sanctuary city");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();

        var error = page.Locator("#query-error");
        await Assertions.Expect(error).ToBeVisibleAsync();
        await Assertions.Expect(error).ToContainTextAsync("This quote is never closed");
        await Assertions.Expect(page.GetByLabel("Query")).ToHaveAttributeAsync("aria-invalid", "true");
        Assert.Empty(await host.Service<SubscriptionStore>().ListByEmailAsync("jane@example.test"));
    }

    [Fact]
    public async Task A_subscriber_previews_subscribes_confirms_manages_and_unsubscribes_with_one_click()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await PreviewPageTests.StoreArticlesAsync(host);
        var page = await browser.NewPageAsync();
        var store = host.Service<SubscriptionStore>();

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("jane@example.test");
        await page.GetByLabel("Query").PressSequentiallyAsync("DACA");
        await Assertions.Expect(page.Locator("#preview")).ToContainTextAsync("2 stories in the last 7 days");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe", Exact = true }).ClickAsync();
        var email = await host.EmailToAsync("jane@example.test");
        await page.GotoAsync(EndToEndSteps.ConfirmLink(email));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm subscription" }).ClickAsync();

        await page.GetByRole(AriaRole.Link, new() { Name = "Manage your alerts" }).ClickAsync();
        await page.GetByText("Edit").ClickAsync();
        await page.GetByLabel("How often").SelectOptionAsync("hourly");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Pause alert: DACA" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Paused");
        var subscription = Assert.Single(await store.ListByEmailAsync("jane@example.test"));
        Assert.Equal((Frequency.Hourly, SubscriptionStatus.Paused), (subscription.Frequency, subscription.Status));

        // What a mail client sends for RFC 8058 one-click: a POST to the List-Unsubscribe URL, no cookies, no page.
        var oneClick = await host.Http.PostAsync(new Uri(host.Service<SubscriptionLinks>().Unsubscribe(subscription.Id)).PathAndQuery,
            new FormUrlEncodedContent(new Dictionary<string, string> { ["List-Unsubscribe"] = "One-Click" }));
        Assert.Equal(System.Net.HttpStatusCode.OK, oneClick.StatusCode);
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await store.GetAsync(subscription.Id))!.Status);
    }

    [Fact]
    public async Task The_unsubscribe_page_stops_one_alert_or_every_alert_of_the_address()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, "jane@example.test");
        var other = await host.SubscribeAndConfirmAsync("refugees", Frequency.Daily, "jane@example.test");
        var bob = await host.SubscribeAndConfirmAsync("refugees", Frequency.Daily, "bob@example.test");
        var store = host.Service<SubscriptionStore>();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.Service<SubscriptionLinks>().Unsubscribe(daca.Id));
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe from all alerts to this address" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("No more alerts will go to jane@example.test");
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await store.GetAsync(daca.Id))!.Status);
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await store.GetAsync(other.Id))!.Status);
        Assert.Equal(SubscriptionStatus.Active, (await store.GetAsync(bob.Id))!.Status);
    }

    [Fact]
    public async Task The_subscribe_page_says_whether_an_article_address_or_pasted_text_would_match_and_why_not()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.Respond("/chicago.html", 200, ArticlePage.Story("Chicago council backs sanctuary city rules",
            "The sanctuary city ordinance passed by a wide margin after a long debate in the council chamber."));
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Query").FillAsync("\"sanctuary city\" AND Chicago -sports");
        await page.GetByLabel("Article address").FillAsync(host.Feeds.Url("/chicago.html"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Test this article" }).ClickAsync();

        var answer = page.Locator("#explanation");
        await Assertions.Expect(answer).ToContainTextAsync("Would match");
        await Assertions.Expect(answer).ToContainTextAsync("Chicago in the title");
        Assert.Equal(1, host.Feeds.RequestCount("/chicago.html"));

        await page.GetByLabel("Article address").FillAsync("");
        await page.GetByLabel("Or paste the article").FillAsync("Chicago sports roundup\nThe Cubs won again, and the sanctuary city debate went on.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test this article" }).ClickAsync();
        await Assertions.Expect(answer).ToContainTextAsync("Would not match");
        await Assertions.Expect(answer).ToContainTextAsync("because -sports excluded it");
        await Assertions.Expect(page.GetByLabel("Query")).ToHaveValueAsync("\"sanctuary city\" AND Chicago -sports");

        await page.GetByLabel("Or paste the article").FillAsync("Denver weighs new rules\nThe sanctuary city debate reached Denver.");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test this article" }).ClickAsync();
        await Assertions.Expect(answer).ToContainTextAsync("chicago is not in it");

        await answer.ScrollIntoViewIfNeededAsync();
        var png = await page.ScreenshotAsync(new() { FullPage = true, Type = ScreenshotType.Png });
        var target = Path.Combine(RepositoryRoot.Path, "docs", "screenshots", "subscribe-explanation.png");
        if (Environment.GetEnvironmentVariable("ALERTS_WRITE_DOCS") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            await File.WriteAllBytesAsync(target, png);
        }
        Assert.True(File.Exists(target), "run with ALERTS_WRITE_DOCS=1 to write docs/screenshots/subscribe-explanation.png");
    }

    [Fact]
    public async Task The_subscribe_page_will_not_fetch_an_address_on_the_services_own_network()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Query").FillAsync("DACA");
        await page.GetByLabel("Article address").FillAsync("http://169.254.169.254/metadata/instance");
        await page.GetByRole(AriaRole.Button, new() { Name = "Test this article" }).ClickAsync();

        await Assertions.Expect(page.Locator("#explanation")).ToContainTextAsync("not on the public internet");
    }

    [Fact]
    public async Task An_unsubscribe_link_opened_again_says_plainly_that_the_alert_is_already_stopped()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, "jane@example.test");
        var link = host.Service<SubscriptionLinks>().Unsubscribe(daca.Id);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(link);
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You're unsubscribed" })).ToBeVisibleAsync();

        await page.GotoAsync(link);

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You're already unsubscribed" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("nothing else to do");
        Assert.Equal(0, await page.GetByRole(AriaRole.Button).CountAsync());
    }

    [Fact]
    public async Task The_confirmed_page_says_when_the_first_digest_comes_in_the_subscribers_zone()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync(timeZone: "Asia/Tokyo");

        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("kenji@example.test");
        await page.GetByLabel("Query").FillAsync("DACA");
        await page.GetByLabel("How often").SelectOptionAsync("daily");
        await page.GetByLabel("Time (daily and weekly)").SelectOptionAsync("7");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();
        var email = await host.EmailToAsync("kenji@example.test");
        await page.GotoAsync(EndToEndSteps.ConfirmLink(email));
        await page.GetByRole(AriaRole.Button, new() { Name = "Confirm subscription" }).ClickAsync();

        var expected = FirstEmail.Describe((await host.Service<SubscriptionStore>().ListByEmailAsync("kenji@example.test")).Single(), host.Clock.GetUtcNow());
        Assert.Contains("at 07:00 (Asia/Tokyo)", expected);
        // Spelled out too, so the page is checked against words a person wrote and not only against the code that made them.
        Assert.Equal("Your first digest comes Friday 27 November at 07:00 (Asia/Tokyo), with the stories that matched until then; a digest with nothing in it is not sent.", expected);
        await Assertions.Expect(page.GetByText(expected)).ToBeVisibleAsync();
    }

    [Fact]
    public async Task After_a_server_side_error_a_focused_summary_at_the_top_links_to_each_field()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Email address").FillAsync("not-an-address");
        await page.GetByLabel("Query").FillAsync("");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe" }).ClickAsync();

        var summary = page.Locator("#error-summary");
        await Assertions.Expect(summary).ToBeFocusedAsync();
        await Assertions.Expect(summary.GetByRole(AriaRole.Heading)).ToHaveTextAsync("There are 2 problems");
        await summary.GetByRole(AriaRole.Link, new() { Name = "This is not a valid email address." }).ClickAsync();
        await Assertions.Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("#email$"));
        Assert.Equal("#query", await summary.GetByRole(AriaRole.Link).Nth(1).GetAttributeAsync("href"));
    }

    [Theory]
    [InlineData("/subscribe")]
    [InlineData("manage")]
    public async Task The_subscriber_pages_fit_a_360_pixel_screen_with_no_sideways_scrolling(string which)
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("\"sanctuary city\" AND Chicago -sports", Frequency.Weekly, "jane@example.test");
        var context = await browser.Browser.NewContextAsync(new() { ViewportSize = new() { Width = 360, Height = 740 } });
        var page = await context.NewPageAsync();
        await page.GotoAsync(which == "manage" ? host.Service<SubscriptionLinks>().Manage(daca.Id) : host.BaseUrl + which);
        foreach (var details in await page.Locator("details").AllAsync())
            await details.EvaluateAsync("d => d.open = true");

        var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
        Assert.True(width <= 360, $"{which} is {width} px wide at 360 px");
        await context.CloseAsync();
    }

    [Fact]
    public async Task The_unsubscribe_page_of_a_grouped_digest_stops_every_alert_it_carried_except_the_ones_ticked_to_keep()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, "jane@example.test");
        var refugees = await host.SubscribeAndConfirmAsync("refugees", Frequency.Daily, "jane@example.test");
        var asylum = await host.SubscribeAndConfirmAsync("asylum", Frequency.Daily, "jane@example.test");
        var weekly = await host.SubscribeAndConfirmAsync("border", Frequency.Weekly, "jane@example.test");
        var store = host.Service<SubscriptionStore>();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(host.Service<SubscriptionLinks>().Unsubscribe(daca.Id));
        await Assertions.Expect(page.GetByText("This email carries 3 alerts")).ToBeVisibleAsync();
        await page.GetByLabel("Keep refugees").CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Unsubscribe from this email's alerts" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "You're unsubscribed" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByText("Still on: refugees.")).ToBeVisibleAsync();
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await store.GetAsync(daca.Id))!.Status);
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await store.GetAsync(asylum.Id))!.Status);
        Assert.Equal(SubscriptionStatus.Active, (await store.GetAsync(refugees.Id))!.Status);
        Assert.Equal(SubscriptionStatus.Active, (await store.GetAsync(weekly.Id))!.Status);
    }
}
