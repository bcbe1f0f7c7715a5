using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

/// <summary>The subscribe page's live validation and 7-day preview, and its no-JavaScript fallback.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PreviewPageTests(BrowserFixture browser, AzuriteFixture azurite)
{
    internal static async Task StoreArticlesAsync(LocalHostHarness host)
    {
        var store = host.Service<ArticleStore>();
        var now = host.Clock.GetUtcNow();
        Article Make(string key, string title, string summary, string site, TimeSpan age) => new(
            "feed0001", key, title, $"https://{site}/{key}", summary, "", now - age, now - age, "Example News", site);
        await store.TryAddAsync(Make("a1", "Court rules on DACA", "The court ruled on DACA today.", "news.example.com", TimeSpan.FromHours(3)));
        await store.TryAddAsync(Make("a2", "DACA recipients <script>alert(1)</script> rally", "Hundreds rallied for DACA.", "city.example.org", TimeSpan.FromDays(2)));
        await store.TryAddAsync(Make("a3", "Weather is fine", "Sunny all week.", "news.example.com", TimeSpan.FromHours(1)));
        await store.TryAddAsync(Make("a4", "Old DACA story", "Too old for the preview.", "news.example.com", TimeSpan.FromDays(9)));
    }

    [Fact]
    public async Task Typing_a_query_shows_what_it_would_have_matched_in_the_last_7_days()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await StoreArticlesAsync(host);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/subscribe");

        await page.GetByLabel("Query").PressSequentiallyAsync("DACA");

        var preview = page.Locator("#preview");
        await Assertions.Expect(preview).ToContainTextAsync("2 stories in the last 7 days would have matched");
        await Assertions.Expect(preview.GetByRole(AriaRole.Link, new() { Name = "Court rules on DACA" })).ToBeVisibleAsync();
        // Feed text is shown as text, never run as markup.
        await Assertions.Expect(preview.GetByRole(AriaRole.Link, new() { Name = "DACA recipients <script>alert(1)</script> rally" })).ToBeVisibleAsync();
        await Assertions.Expect(preview).Not.ToContainTextAsync("Old DACA story");
        await Assertions.Expect(preview).Not.ToContainTextAsync("Weather");

        await page.GetByLabel("Only from these sites (optional)").FillAsync("city.example.org");
        await Assertions.Expect(preview).ToContainTextAsync("1 story in the last 7 days would have matched");
    }

    [Fact]
    public async Task A_bad_query_is_flagged_while_typing_with_the_parser_message_and_the_spot_it_points_at()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/subscribe");
        var query = page.GetByLabel("Query");

        await query.PressSequentiallyAsync("DACA AND (court");

        var error = page.Locator("#query-error");
        await Assertions.Expect(error).ToContainTextAsync("This ( is never closed: add a ) where the group ends.");
        await Assertions.Expect(query).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(query).ToHaveAttributeAsync("aria-describedby", "query-error query-hint");

        await query.PressSequentiallyAsync(")");
        await Assertions.Expect(error).ToHaveCountAsync(0);
        await Assertions.Expect(query).Not.ToHaveAttributeAsync("aria-invalid", "true");
    }

    [Fact]
    public async Task The_time_zone_defaults_to_the_browsers_and_the_digest_time_is_kept()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync(timeZone: "Europe/Berlin");
        await page.GotoAsync(host.BaseUrl + "/subscribe");

        await Assertions.Expect(page.GetByLabel("Time zone")).ToHaveValueAsync("Europe/Berlin");
        await page.GetByLabel("Email address").FillAsync("jane@example.test");
        await page.GetByLabel("Query").FillAsync("DACA");
        await page.GetByLabel("How often").SelectOptionAsync("weekly");
        await page.GetByLabel("Time (daily and weekly)").SelectOptionAsync("7");
        await page.GetByLabel("Day (weekly)").SelectOptionAsync("Sunday");
        await page.GetByRole(AriaRole.Button, new() { Name = "Subscribe", Exact = true }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Check your email" })).ToBeVisibleAsync();
        await host.WaitForQueuesToDrainAsync(); // the request is stored after the answer

        var pending = Assert.Single(await host.Service<SubscriptionStore>().ListByEmailAsync("jane@example.test"));
        Assert.Equal((Frequency.Weekly, "Europe/Berlin", 7, DayOfWeek.Sunday), (pending.Frequency, pending.TimeZone, pending.DigestHour, pending.DigestDay));
    }

    [Fact]
    public async Task Without_javascript_the_preview_button_renders_the_preview_on_the_server()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await StoreArticlesAsync(host);
        var context = await browser.Browser.NewContextAsync(new() { JavaScriptEnabled = false });
        var page = await context.NewPageAsync();
        await page.GotoAsync(host.BaseUrl + "/subscribe");

        await page.GetByLabel("Query").FillAsync("DACA -rally");
        await page.GetByRole(AriaRole.Button, new() { Name = "Preview matches" }).ClickAsync();

        var preview = page.Locator("#preview");
        await Assertions.Expect(preview).ToContainTextAsync("1 story in the last 7 days would have matched");
        await Assertions.Expect(preview.GetByRole(AriaRole.Link, new() { Name = "Court rules on DACA" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Query")).ToHaveValueAsync("DACA -rally");
        await context.CloseAsync();
    }

    [Fact]
    public async Task Preview_times_are_shown_in_the_subscribers_zone_or_in_UTC_without_one()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await StoreArticlesAsync(host);
        // "Court rules on DACA" was published 3 hours before the harness start (2026-11-26 06:00 UTC): 03:00 UTC.
        var page = await browser.NewPageAsync(timeZone: "America/Chicago");
        await page.GotoAsync(host.BaseUrl + "/subscribe");
        await page.GetByLabel("Query").PressSequentiallyAsync("DACA");
        await Assertions.Expect(page.Locator("#preview")).ToContainTextAsync("2026-11-25 21:00 America/Chicago");

        var context = await browser.Browser.NewContextAsync(new() { JavaScriptEnabled = false });
        var plain = await context.NewPageAsync();
        await plain.GotoAsync(host.BaseUrl + "/subscribe");
        await plain.GetByLabel("Query").FillAsync("DACA");
        await plain.GetByLabel("Time zone").FillAsync("Asia/Tokyo");
        await plain.GetByRole(AriaRole.Button, new() { Name = "Preview matches" }).ClickAsync();
        await Assertions.Expect(plain.Locator("#preview")).ToContainTextAsync("2026-11-26 12:00 Asia/Tokyo");
        await plain.GetByLabel("Time zone").FillAsync("");
        await plain.GetByRole(AriaRole.Button, new() { Name = "Preview matches" }).ClickAsync();
        await Assertions.Expect(plain.Locator("#preview")).ToContainTextAsync("2026-11-26 03:00 UTC");
        await context.CloseAsync();
    }
}
