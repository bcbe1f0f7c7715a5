using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Playwright;

namespace Alerts.LocalHost.Tests.Browser;

/// <summary>Issue 15's admin-page findings, each as an admin meets it in Chromium.</summary>
[Collection(BrowserCollection.Name)]
public sealed class AdminPageFindingsTests(BrowserFixture browser, AzuriteFixture azurite)
{
    private static string AdminUrl(LocalHostHarness host, string path = "manage-feeds", string query = "") =>
        $"{host.BaseUrl}/{path}?code={LocalHostHarness.AdminKey}{query}";

    private async Task<IPage> NarrowPageAsync(int width = 360)
    {
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            ViewportSize = new ViewportSize { Width = width, Height = 780 },
            TimezoneId = "America/Chicago",
            Locale = "en-US",
        });
        return await context.NewPageAsync();
    }

    [Fact]
    public async Task A_failed_add_keeps_the_typed_url_and_says_what_is_wrong_in_plain_words_with_the_detail_folded()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.Respond("/notes", 200, "Data, not a feed", contentType: "application/xml");
        var page = await browser.NewPageAsync();
        await page.GotoAsync(AdminUrl(host));

        await page.GetByLabel("Feed or web page URL").FillAsync(host.Feeds.Url("/notes"));
        await page.GetByLabel("Tags").FillAsync("city");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync();

        var alert = page.GetByRole(AriaRole.Alert);
        await Assertions.Expect(alert).ToContainTextAsync("is not a feed");
        await Assertions.Expect(page.GetByLabel("Feed or web page URL")).ToHaveValueAsync(host.Feeds.Url("/notes"));
        await Assertions.Expect(page.GetByLabel("Tags")).ToHaveValueAsync("city");
        await Assertions.Expect(page.GetByLabel("Feed or web page URL")).ToHaveAttributeAsync("aria-invalid", "true");
        await Assertions.Expect(page.GetByLabel("Feed or web page URL")).ToBeFocusedAsync();
        // The technical detail is there for whoever needs it, folded away from whoever does not.
        var details = alert.Locator("details");
        await Assertions.Expect(details).ToHaveCountAsync(1);
        Assert.Null(await details.GetAttributeAsync("open"));
        await Assertions.Expect(details).ToContainTextAsync("XmlException");
        Assert.DoesNotContain("Exception", await alert.EvaluateAsync<string>("a => a.innerText"));
        await details.Locator("summary").ClickAsync();
        await Assertions.Expect(details.GetByText("XmlException", new() { Exact = false })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Null(await host.Service<FeedStore>().GetAsync(Feed.IdFor(host.Feeds.Url("/notes"))));
    }

    [Fact]
    public async Task A_dead_url_is_not_added_until_the_admin_adds_it_anyway_and_then_gets_a_warning_not_a_green_added()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.Respond("/gone.xml", 404, "Not here", contentType: "text/plain");
        var url = host.Feeds.Url("/gone.xml");
        var page = await browser.NewPageAsync();
        await page.GotoAsync(AdminUrl(host));

        await page.GetByLabel("Feed or web page URL").FillAsync(url);
        var response = await page.RunAndWaitForResponseAsync(
            () => page.GetByRole(AriaRole.Button, new() { Name = "Add feed" }).ClickAsync(), r => r.Url.Contains("/manage-feeds/add"));

        Assert.Equal(422, response.Status);
        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("404 Not Found");
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToHaveCountAsync(0);
        Assert.Null(await host.Service<FeedStore>().GetAsync(Feed.IdFor(url)));
        await Assertions.Expect(page.GetByLabel("Feed or web page URL")).ToHaveValueAsync(url);

        await page.GetByRole(AriaRole.Button, new() { Name = "Add anyway" }).ClickAsync();

        var status = page.GetByRole(AriaRole.Status);
        await Assertions.Expect(status).ToContainTextAsync("but its first fetch failed");
        await Assertions.Expect(status).ToContainTextAsync("404 Not Found");
        await Assertions.Expect(status).Not.ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bnotice\b"));
        await Assertions.Expect(status).ToHaveClassAsync(new System.Text.RegularExpressions.Regex(@"\bwarning\b"));
        Assert.DoesNotMatch(@"^Added", (await status.InnerTextAsync()).Trim());
        await Assertions.Expect(page.Locator("#feeds tbody tr")).ToContainTextAsync("Failing");
        Assert.NotNull(await host.Service<FeedStore>().GetAsync(Feed.IdFor(url)));
    }

    [Fact]
    public async Task Delete_asks_first_keeps_the_feed_unfetched_with_an_undo_and_purges_it_after_the_retention_period()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.SetFeed("/desk.xml", "City Desk");
        await host.AddFeedAsync(host.Feeds.Url("/desk.xml"));
        var id = Feed.IdFor(host.Feeds.Url("/desk.xml"));
        var store = host.Service<FeedStore>();
        var page = await browser.NewPageAsync();
        await page.GotoAsync(AdminUrl(host));

        await page.Locator("#feeds tbody tr").GetByRole(AriaRole.Button, new() { Name = "Delete City Desk" }).ClickAsync();

        // The first click only asks.
        await Assertions.Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delete City Desk?" })).ToBeVisibleAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Main)).ToContainTextAsync("30 days");
        Assert.Equal(FeedStatus.Active, (await store.GetAsync(id))!.Status);
        await page.GetByRole(AriaRole.Link, new() { Name = "Cancel" }).ClickAsync();
        await Assertions.Expect(page.Locator("#feeds tbody tr")).ToHaveCountAsync(1);
        Assert.Equal(FeedStatus.Active, (await store.GetAsync(id))!.Status);

        await page.Locator("#feeds tbody tr").GetByRole(AriaRole.Button, new() { Name = "Delete City Desk" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete feed" }).ClickAsync();

        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Feed deleted: City Desk");
        await Assertions.Expect(page.Locator("#feeds tbody tr")).ToHaveCountAsync(0);
        var deleted = page.Locator("#deleted-feeds tbody tr");
        await Assertions.Expect(deleted).ToHaveCountAsync(1);
        await Assertions.Expect(deleted).ToContainTextAsync("City Desk");
        await Assertions.Expect(deleted).ToContainTextAsync(host.Clock.GetUtcNow().AddDays(30).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(FeedStatus.Deleted, (await store.GetAsync(id))!.Status);

        // Kept, but never fetched while deleted.
        var requests = host.Feeds.RequestCount("/desk.xml");
        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.RunTimerAsync("PollFeeds");
        await host.RunTimerAsync("PollFeeds");
        Assert.Equal(requests, host.Feeds.RequestCount("/desk.xml"));

        // Undo, from the notice as from the list.
        await page.GotoAsync(AdminUrl(host));
        await page.Locator("#deleted-feeds").GetByRole(AriaRole.Button, new() { Name = "Undo delete of City Desk" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Restored City Desk");
        await Assertions.Expect(page.Locator("#feeds tbody tr")).ToHaveCountAsync(1);
        await Assertions.Expect(page.Locator("#deleted-feeds")).ToHaveCountAsync(0);
        Assert.Equal(FeedStatus.Active, (await store.GetAsync(id))!.Status);

        await page.Locator("#feeds tbody tr").GetByRole(AriaRole.Button, new() { Name = "Delete City Desk" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete feed" }).ClickAsync();
        await page.GetByRole(AriaRole.Status).GetByRole(AriaRole.Button, new() { Name = "Undo" }).ClickAsync();
        await Assertions.Expect(page.GetByRole(AriaRole.Status)).ToContainTextAsync("Restored City Desk");
        Assert.Equal(FeedStatus.Active, (await store.GetAsync(id))!.Status);

        // After the retention period the poller purges it, and there is nothing left to undo.
        await page.Locator("#feeds tbody tr").GetByRole(AriaRole.Button, new() { Name = "Delete City Desk" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Delete feed" }).ClickAsync();
        host.Clock.Advance(TimeSpan.FromDays(30) + TimeSpan.FromMinutes(1));
        await host.RunTimerAsync("PollFeeds");
        Assert.Null(await store.GetAsync(id));
        await page.GotoAsync(AdminUrl(host));
        await Assertions.Expect(page.Locator("#deleted-feeds")).ToHaveCountAsync(0);
    }

    [Fact]
    public async Task Items_per_day_comes_from_when_items_were_first_seen_not_from_how_many_the_feed_document_carries()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var feedPath = "/wire.xml";
        host.Feeds.SetFeed(feedPath, "Wire");
        var published = host.Clock.GetUtcNow();
        var n = 0;
        void Publish(int count)
        {
            for (var i = 0; i < count; i++, n++)
                host.Feeds.AddItem(feedPath, $"Story {n}", $"https://wire.test/{n}", "Text.", published.AddSeconds(n));
        }
        Publish(5); // the backlog the first fetch finds
        await host.AddFeedAsync(host.Feeds.Url(feedPath));
        var id = Feed.IdFor(host.Feeds.Url(feedPath));
        var fetch = host.Service<FeedFetchHandler>();
        // 480 a day is 5 every 15 minutes; two hours of that.
        for (var round = 0; round < 8; round++)
        {
            host.Clock.Advance(TimeSpan.FromMinutes(15));
            Publish(5);
            await fetch.HandleAsync(new FeedFetchMessage(id), CancellationToken.None);
        }
        var page = await browser.NewPageAsync();
        await page.GotoAsync(AdminUrl(host));

        var column = await page.Locator("#feeds thead th").AllInnerTextsAsync();
        var cell = page.Locator("#feeds tbody tr").First.Locator("td").Nth(column.ToList().IndexOf("Items/day"));
        var shown = double.Parse(await cell.InnerTextAsync(), System.Globalization.CultureInfo.InvariantCulture);
        Assert.InRange(shown, 470, 490);
    }

    [Fact]
    public async Task Each_radio_button_on_the_edit_page_sits_right_beside_its_label()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.SetFeed("/desk.xml", "City Desk");
        await host.AddFeedAsync(host.Feeds.Url("/desk.xml"));
        foreach (var page in new[] { await browser.NewPageAsync(), await NarrowPageAsync() })
        {
            await page.GotoAsync(AdminUrl(host, $"manage-feeds/{Feed.IdFor(host.Feeds.Url("/desk.xml"))}/edit"));
            var radios = page.Locator("input[type=radio]");
            Assert.Equal(6, await radios.CountAsync());
            foreach (var radio in await radios.AllAsync())
            {
                // The label's own text (not its hint), measured as the browser lays it out.
                var text = await radio.EvaluateAsync<double[]>("""
                    r => {
                      const label = r.labels[0];
                      const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT, { acceptNode: n => n.textContent.trim() ? NodeFilter.FILTER_ACCEPT : NodeFilter.FILTER_REJECT });
                      const range = document.createRange();
                      range.selectNodeContents(walker.nextNode());
                      const b = range.getBoundingClientRect();
                      return [b.left, b.top, b.right, b.bottom];
                    }
                    """);
                var box = (await radio.BoundingBoxAsync())!;
                var gap = text[0] - (box.X + box.Width);
                Assert.InRange(gap, 0, 16); // to the right of the radio, a few pixels away
                var middle = box.Y + box.Height / 2;
                Assert.InRange(middle, text[1], text[3]); // on the same line
            }
        }
    }

    [Fact]
    public async Task The_admin_pages_fit_a_360_px_phone_without_sideways_scrolling()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.SetFeed("/desk.xml", "City Desk");
        host.Feeds.AddItem("/desk.xml", "A headline long enough to wrap several times on a phone screen", "https://city.test/a-very-long-article-path-that-does-not-break-easily-0123456789", "Summary.");
        host.Feeds.SetFeed("/a-rather-long-path/that/keeps/going/international-edition/feed.xml", "International edition");
        host.Feeds.Respond("/broken.xml", 503, "busy", contentType: "text/plain");
        await host.AddFeedAsync(host.Feeds.Url("/desk.xml"));
        await host.AddFeedAsync(host.Feeds.Url("/a-rather-long-path/that/keeps/going/international-edition/feed.xml"));
        await host.AddFeedAsync(host.Feeds.Url("/broken.xml"));
        var id = Feed.IdFor(host.Feeds.Url("/desk.xml"));
        var page = await NarrowPageAsync();

        async Task AssertFits(string what)
        {
            var width = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth");
            Assert.True(width <= 360, $"The {what} page is {width} px wide at 360 px.");
        }

        await page.GotoAsync(AdminUrl(host));
        await AssertFits("feeds");
        // The picture in the docs is rewritten only on request (the page shows the test server's port, so every
        // run would change its bytes); it must exist.
        var picture = Path.Combine(RepositoryRoot.Path, "docs", "screenshots", "admin-360.png");
        if (Environment.GetEnvironmentVariable("ALERTS_WRITE_DOCS") == "1")
            await page.ScreenshotAsync(new() { Path = picture, FullPage = true });
        Assert.True(File.Exists(picture), "run with ALERTS_WRITE_DOCS=1 to write docs/screenshots/admin-360.png");

        await page.GotoAsync(AdminUrl(host, $"manage-feeds/{id}/edit"));
        await AssertFits("edit");

        await page.GotoAsync(AdminUrl(host, "manage-feeds/test"));
        await page.GetByLabel("Feed or web page URL").FillAsync(host.Feeds.Url("/desk.xml"));
        await page.GetByRole(AriaRole.Button, new() { Name = "Test feed" }).ClickAsync();
        await Assertions.Expect(page.Locator("#test-items tbody tr")).ToHaveCountAsync(1);
        await AssertFits("test-feed");

        await page.GotoAsync(AdminUrl(host, "manage-feeds/stats", "&days=30"));
        await Assertions.Expect(page.Locator("#feed-stats thead th")).ToHaveCountAsync(32);
        await AssertFits("stats");
        // A table too wide for the screen scrolls inside its own box, which the keyboard can reach.
        var box = page.Locator("#feed-stats").Locator("xpath=..");
        Assert.Equal("auto", await box.EvaluateAsync<string>("b => getComputedStyle(b).overflowX"));
        Assert.Equal("0", await box.GetAttributeAsync("tabindex"));
        Assert.True(await box.EvaluateAsync<bool>("b => b.scrollWidth > b.clientWidth"));
    }
}
