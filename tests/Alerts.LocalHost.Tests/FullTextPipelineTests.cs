using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// Full text for summary-only feeds through the local host: set by the admin API or page, the linked page fetched
/// once, matched, and the alert's snippet taken from it.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class FullTextPipelineTests(AzuriteFixture azurite)
{
    private const string Sentence = "Ships bound for the spice harbour of Zanzibar will be diverted while the quays are rebuilt.";

    [Theory]
    [InlineData("On")]
    [InlineData("Auto")]
    public async Task A_summary_only_feed_with_full_text_alerts_on_a_word_only_in_the_linked_page_with_a_snippet_from_it(string mode)
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var subscription = await host.SubscribeAndConfirmAsync("Zanzibar", Frequency.Instant);
        host.Smtp.Clear();
        host.Feeds.Respond("/story.html", 200, ArticlePage.Story("Port works begin", Sentence));
        host.Feeds.SetFeed("/harbour.xml", "Harbour News");
        host.Feeds.AddItem("/harbour.xml", "Port works begin", host.Feeds.Url("/story.html"), "Repairs to the old quays start this week.");

        var added = await host.AdminAsync(HttpMethod.Post, "/api/admin/feeds", new { url = host.Feeds.Url("/harbour.xml"), fullText = mode });
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        Assert.Equal(mode, (await added.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("feed").GetProperty("fullText").GetString());

        var alert = await host.EmailToAsync(subscription.Email, TimeSpan.FromSeconds(15));
        Assert.Contains(host.Feeds.Url("/story.html"), alert.HtmlBody);
        Assert.Contains("spice harbour of", alert.TextBody); // the snippet is the page's text around the hit
        Assert.Contains("Zanzibar", alert.TextBody);

        // Later polls and redelivered messages do not fetch the page again, nor alert again.
        await host.WaitForQueuesToDrainAsync();
        host.Feeds.Touch("/harbour.xml");
        host.Clock.Advance(TimeSpan.FromHours(1));
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();
        Assert.Equal(1, host.Feeds.RequestCount("/story.html"));
        Assert.Single(host.Smtp.Messages);
    }

    [Fact]
    public async Task Full_text_is_set_by_patch_and_by_the_edit_page_which_accept_only_off_on_or_auto()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.SetFeed("/desk.xml", "Desk");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/desk.xml"))).StatusCode);
        var id = Feed.IdFor(host.Feeds.Url("/desk.xml"));
        var store = host.Service<FeedStore>();
        Assert.Equal(FullTextMode.Off, (await store.GetAsync(id))!.FullText);

        var patched = await host.AdminAsync(HttpMethod.Patch, $"/api/admin/feeds/{id}", new { fullText = "Auto" });
        Assert.Equal(HttpStatusCode.OK, patched.StatusCode);
        Assert.Equal(FullTextMode.Auto, (await store.GetAsync(id))!.FullText);
        var refused = await host.AdminAsync(HttpMethod.Patch, $"/api/admin/feeds/{id}", new { fullText = "Sometimes" });
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Equal(FullTextMode.Auto, (await store.GetAsync(id))!.FullText);

        var page = await (await host.Http.GetAsync($"/manage-feeds/{id}/edit?code={LocalHostHarness.AdminKey}")).Content.ReadAsStringAsync();
        // The page is rendered by a component (HtmlRenderer writes void elements as "<input ... />"), so the markup is
        // checked as parsed: the same element, the same attributes, checked.
        var radio = new AngleSharp.Html.Parser.HtmlParser().ParseDocument(page).QuerySelector("input#fulltext-auto")!;
        Assert.Equal(("radio", "fulltext", "Auto", "fulltext-auto-hint", true),
            (radio.GetAttribute("type"), radio.GetAttribute("name"), radio.GetAttribute("value"), radio.GetAttribute("aria-describedby"), radio.HasAttribute("checked")));

        foreach (var (value, expected) in new[] { ("On", FullTextMode.On), ("7", FullTextMode.On), ("Deleted", FullTextMode.On), ("Off", FullTextMode.Off) })
        {
            var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["title"] = "Desk", ["tags"] = "", ["identity"] = "Auto", ["fulltext"] = value });
            var response = await host.Http.PostAsync($"/manage-feeds/{id}/edit?code={LocalHostHarness.AdminKey}", form);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
            Assert.Equal(value is "7" or "Deleted", response.Headers.Location!.OriginalString.Contains("error=", StringComparison.Ordinal));
            Assert.Equal(expected, (await store.GetAsync(id))!.FullText);
        }
    }
}
