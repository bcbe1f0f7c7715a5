using System.Text;
using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

/// <summary>The admin pages in headless Chromium, as an admin uses them.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageTests(BrowserFixture browser, AzuriteFixture azurite)
{
    private static string AdminUrl(LocalHostHarness host, string query = "") =>
        $"{host.BaseUrl}/manage-feeds?code={LocalHostHarness.AdminKey}{query}";

    [Fact]
    public async Task An_admin_adds_a_feed_by_its_web_page_url()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.Respond("/city", 200, """
            <html><head><title>City</title><link rel="alternate" type="application/atom+xml" href="/city/feed.xml"></head><body>City</body></html>
            """);
        host.Feeds.SetFeed("/city/feed.xml", "City Desk");
        host.Feeds.AddItem("/city/feed.xml", "Council meets", "https://city.test/1", "Agenda.");
        var page = await browser.NewPageAsync();

        await page.GotoAsync(AdminUrl(host));
        await page.GetByLabel("Feed or web page URL").FillAsync(host.Feeds.Url("/city"));
        await page.GetByLabel("Tags").FillAsync("local");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Added City Desk");
        var row = page.Locator("#feeds tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync(host.Feeds.Url("/city/feed.xml"));
        await Assertions.Expect(row).ToContainTextAsync("Active");
        Assert.Equal(1, host.Feeds.RequestCount("/city"));
        Assert.Equal(1, host.Feeds.RequestCount("/city/feed.xml"));
    }

    [Fact]
    public async Task An_admin_imports_a_300_feed_opml_file_and_sees_every_feed_in_the_health_table()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();
        await page.GotoAsync(AdminUrl(host));

        await page.GetByLabel("OPML file").SetInputFilesAsync(new FilePayload
        {
            Name = "feeds.opml",
            MimeType = "text/x-opml",
            Buffer = Encoding.UTF8.GetBytes(AdminApiTests.OpmlFile(host, 300)),
        });
        await page.GetByRole(AriaRole.Button, new() { Name = "Import OPML" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("300 added, 0 duplicate, 0 invalid.");
        await Assertions.Expect(page.Locator("#import-results tbody tr")).ToHaveCountAsync(300);
        await page.GetByRole(AriaRole.Link, new() { Name = "Back to feeds" }).ClickAsync();
        await Assertions.Expect(page.Locator("#feeds tbody tr")).ToHaveCountAsync(300);
        Assert.Empty(host.Feeds.AllRequests); // importing fetches nothing; the poller does, politely
    }

    [Fact]
    public async Task An_admin_sees_an_erroring_feed_in_the_health_table_and_retries_it()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.SetFeed("/ok.xml", "Healthy Feed");
        host.Feeds.Respond("/broken.xml", 503, "busy", contentType: "text/plain");
        await host.AddFeedAsync(host.Feeds.Url("/ok.xml"));
        await host.AddFeedAsync(host.Feeds.Url("/broken.xml"));
        await host.WaitForQueuesToDrainAsync();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(AdminUrl(host));
        await page.GetByRole(AriaRole.Link, new() { Name = "Errored (1)" }).ClickAsync();
        var row = page.Locator("#feeds tbody tr");
        await Assertions.Expect(row).ToHaveCountAsync(1);
        await Assertions.Expect(row).ToContainTextAsync(host.Feeds.Url("/broken.xml"));
        await Assertions.Expect(row).ToContainTextAsync("503");
        await Assertions.Expect(row).ToContainTextAsync("Failing");
        await Assertions.Expect(row).ToHaveClassAsync("errored");

        host.Feeds.SetFeed("/broken.xml", "Fixed Feed");
        await row.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Retrying");
        await host.WaitForQueuesToDrainAsync();

        await page.GotoAsync(AdminUrl(host, "&status=errored"));
        await Assertions.Expect(page.Locator("#feeds tbody tr")).ToHaveCountAsync(0);
        await page.GotoAsync(AdminUrl(host));
        await Assertions.Expect(page.Locator("#feeds tbody tr", new() { HasText = "Fixed Feed" })).ToContainTextAsync("200");
        Assert.Equal(FeedStatus.Active, (await host.Service<FeedStore>().GetAsync(Feed.IdFor(host.Feeds.Url("/broken.xml"))))!.Status);
    }

    [Fact]
    public async Task An_admin_edits_a_feeds_title_tags_and_identity_then_pauses_resumes_and_deletes_it()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.SetFeed("/desk.xml", "City Desk");
        await host.AddFeedAsync(host.Feeds.Url("/desk.xml"));
        var id = Feed.IdFor(host.Feeds.Url("/desk.xml"));
        var page = await browser.NewPageAsync();

        await page.GotoAsync(AdminUrl(host));
        await page.GetByRole(AriaRole.Link, new() { Name = "Edit City Desk" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Edit City Desk" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Auto", new() { Exact = true })).ToBeCheckedAsync();
        // Markup in a title must come back as text, never as elements.
        await page.GetByLabel("Title").FillAsync("<b>City</b> & \"Desk\"");
        await page.GetByLabel("Tags").FillAsync("local, politics, Local");
        await page.GetByLabel("Link", new() { Exact = true }).CheckAsync(); // keyboard-reachable radios, labelled
        await Assertions.Expect(page.GetByLabel("Off", new() { Exact = true })).ToBeCheckedAsync(); // full text
        await page.GetByLabel("Automatic", new() { Exact = true }).CheckAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Save changes" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("Saved <b>City</b> & \"Desk\".");
        var row = page.Locator("#feeds tbody tr");
        await Assertions.Expect(row).ToContainTextAsync("<b>City</b> & \"Desk\"");
        await Assertions.Expect(row).ToContainTextAsync("local,politics");
        await Assertions.Expect(row.Locator("b")).ToHaveCountAsync(0);
        var stored = await host.Service<FeedStore>().GetAsync(id);
        Assert.Equal(("<b>City</b> & \"Desk\"", "local,politics", ItemIdentity.Link), (stored!.Title, stored.Tags, stored.Identity));
        Assert.Equal(FullTextMode.Auto, stored.FullText);

        await row.GetByRole(AriaRole.Link, new() { NameRegex = new("^Edit ") }).ClickAsync();
        await Assertions.Expect(page.GetByLabel("Link", new() { Exact = true })).ToBeCheckedAsync();
        await Assertions.Expect(page.GetByLabel("Title")).ToHaveValueAsync("<b>City</b> & \"Desk\"");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Pause ") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Paused");
        Assert.Equal(FeedStatus.Paused, (await host.Service<FeedStore>().GetAsync(id))!.Status);

        await page.GetByRole(AriaRole.Link, new() { NameRegex = new("^Edit ") }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Resume ") }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Resumed");
        Assert.Equal(FeedStatus.Active, (await host.Service<FeedStore>().GetAsync(id))!.Status);

        await page.GetByRole(AriaRole.Link, new() { NameRegex = new("^Edit ") }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Delete ") }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete feed" }).ClickAsync(); // delete asks first
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Feed deleted");
        await Assertions.Expect(page.Locator("#feeds tbody tr")).ToHaveCountAsync(0);
        Assert.Equal(FeedStatus.Deleted, (await host.Service<FeedStore>().GetAsync(id))!.Status);
    }

    [Fact]
    public async Task An_admin_tests_a_feed_without_saving_it_and_sees_its_items_and_problems()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.Respond("/odd.xml", 200, """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Odd &amp; Ends</title><link>https://odd.test/</link>
            <item><title>Council: A &amp;lt;b&amp;gt; B &amp;amp; "C"</title><link>https://odd.test/1</link><guid>same</guid>
              <pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate><description>First.</description></item>
            <item><title>Budget</title><link>javascript:alert(2)</link><guid>same</guid><description>Second, undated.</description></item>
            </channel></rss>
            """, contentType: "application/rss+xml");
        var page = await browser.NewPageAsync();

        await page.GotoAsync(AdminUrl(host));
        await page.GetByRole(AriaRole.Link, new() { Name = "Test a feed without saving it" }).ClickAsync();
        await page.GetByLabel("Feed or web page URL").FillAsync(host.Feeds.Url("/odd.xml"));
        await page.GetByLabel("Feed or web page URL").PressAsync("Enter"); // submits like any form, no script

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("2 item(s), 2 problem(s).");
        await Assertions.Expect(page.Locator("#test-facts")).ToContainTextAsync("Odd & Ends");
        await Assertions.Expect(page.Locator("#test-facts")).ToContainTextAsync("200");
        var problems = page.Locator("#problems li");
        await Assertions.Expect(problems).ToHaveCountAsync(2);
        await Assertions.Expect(problems.Nth(0)).ToContainTextAsync("no readable date");
        await Assertions.Expect(problems.Nth(1)).ToContainTextAsync("guid(s) repeat");
        var items = page.Locator("#test-items tbody tr");
        await Assertions.Expect(items).ToHaveCountAsync(2);
        // The parser keeps escaped markup as text; the page must show it as text too.
        await Assertions.Expect(items.Nth(0)).ToContainTextAsync("Council: A <b> B & \"C\"");
        await Assertions.Expect(page.Locator("#test-items b")).ToHaveCountAsync(0);
        await Assertions.Expect(items.Nth(0).GetByRole(AriaRole.Link)).ToHaveAttributeAsync("href", "https://odd.test/1");
        await Assertions.Expect(items.Nth(0)).ToContainTextAsync("2026-11-25 10:00");
        await Assertions.Expect(items.Nth(1).GetByRole(AriaRole.Link)).ToHaveCountAsync(0); // a javascript: link stays text
        await Assertions.Expect(page.GetByLabel("Feed or web page URL")).ToHaveValueAsync(host.Feeds.Url("/odd.xml"));

        Assert.Equal(1, host.Feeds.RequestCount("/odd.xml"));
        Assert.Null(await host.Service<FeedStore>().GetAsync(Feed.IdFor(host.Feeds.Url("/odd.xml"))));
    }

    [Fact]
    public async Task An_admin_sees_matches_per_feed_and_per_query_per_day()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);
        host.Feeds.SetFeed("/busy.xml", "Busy");
        host.Feeds.AddItem("/busy.xml", "DACA hearing", "https://b.test/1", "DACA.");
        host.Feeds.AddItem("/busy.xml", "DACA ruling", "https://b.test/2", "DACA.");
        host.Feeds.SetFeed("/idle.xml", "Idle");
        host.Feeds.AddItem("/idle.xml", "Weather", "https://i.test/1", "Sunny.");
        await host.AddFeedAsync(host.Feeds.Url("/busy.xml"));
        await host.AddFeedAsync(host.Feeds.Url("/idle.xml"));
        await host.WaitForQueuesToDrainAsync();
        var page = await browser.NewPageAsync();

        await page.GotoAsync(AdminUrl(host));
        await page.GetByRole(AriaRole.Link, new() { Name = "Matches per feed and query" }).ClickAsync();
        await page.GetByLabel("Days").FillAsync("3");
        await page.GetByRole(AriaRole.Button, new() { Name = "Show" }).ClickAsync();

        var today = host.Clock.GetUtcNow().ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var feedTable = page.Locator("#feed-stats");
        await Assertions.Expect(feedTable.Locator("thead th")).ToHaveTextAsync(["Feed", "Total",
            host.Clock.GetUtcNow().AddDays(-2).ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture),
            host.Clock.GetUtcNow().AddDays(-1).ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture), today]);
        var feedRows = feedTable.Locator("tbody tr");
        await Assertions.Expect(feedRows).ToHaveCountAsync(2);
        await Assertions.Expect(feedRows.Nth(0).Locator("th, td")).ToHaveTextAsync(["Busy", "2", "0", "0", "2"]);
        await Assertions.Expect(feedRows.Nth(1).Locator("th, td")).ToHaveTextAsync(["Idle", "0", "0", "0", "0"]);
        var queryRows = page.Locator("#query-stats tbody tr");
        await Assertions.Expect(queryRows).ToHaveCountAsync(1);
        await Assertions.Expect(queryRows.Nth(0).Locator("th, td")).ToHaveTextAsync(["DACA", "2", "0", "0", "2"]);
        await Assertions.Expect(page.GetByRole(AriaRole.Rowheader, new() { Name = "Busy" })).ToBeVisibleAsync();
        Assert.Contains("days=3", page.Url, StringComparison.Ordinal);
        Assert.Contains($"code={LocalHostHarness.AdminKey}", page.Url, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_the_key_the_admin_page_is_refused()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var page = await browser.NewPageAsync();

        var response = await page.GotoAsync($"{host.BaseUrl}/manage-feeds");

        Assert.Equal(401, response!.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Admin key required" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByLabel("Feed or web page URL")).ToHaveCountAsync(0);
    }
}
