using System.Text;
using Alerts.Core.Feeds;
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
