using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Alerts.LocalHost;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.LocalHost.Tests;

/// <summary>The admin API through the local host: real HTTP, Azurite, the scripted feed server and the queue listeners.</summary>
[Collection(StorageCollection.Name)]
public sealed class AdminApiTests(AzuriteFixture azurite)
{
    private const string Page = """
        <!DOCTYPE html><html><head><title>City News</title>
        <link rel="stylesheet" href="/style.css">
        <link rel="alternate" type="application/rss+xml" title="City News" href="/news/rss.xml">
        </head><body><h1>City News</h1></body></html>
        """;

    [Fact]
    public async Task Adding_by_web_page_url_discovers_the_feed_and_requests_each_url_exactly_once()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.Respond("/news", 200, Page);
        host.Feeds.SetFeed("/news/rss.xml", "City News");
        host.Feeds.AddItem("/news/rss.xml", "Council meets", "https://city.test/1", "Agenda.");
        host.Feeds.AddItem("/news/rss.xml", "Parks open", "https://city.test/2", "Summer.");

        var response = await host.AdminAsync(HttpMethod.Post, "/api/admin/feeds", new { url = host.Feeds.Url("/news"), tags = "local, city" });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var body = await JsonAsync(response);
        Assert.Equal(host.Feeds.Url("/news/rss.xml"), body.GetProperty("feed").GetProperty("url").GetString());
        Assert.Equal(host.Feeds.Url("/news"), body.GetProperty("discoveredFrom").GetString());
        Assert.Equal("local,city", body.GetProperty("feed").GetProperty("tags").GetString());
        await host.WaitForQueuesToDrainAsync();
        Assert.Equal(1, host.Feeds.RequestCount("/news"));
        Assert.Equal(1, host.Feeds.RequestCount("/news/rss.xml"));
        var feedId = body.GetProperty("feed").GetProperty("id").GetString()!;
        var articles = new List<Article>();
        await foreach (var article in host.Service<ArticleStore>().ListByFeedAsync(feedId))
            articles.Add(article);
        Assert.Equal(2, articles.Count);
    }

    [Fact]
    public async Task Adding_a_feed_whose_host_another_instance_keeps_busy_is_a_503_with_retry_after_and_stores_nothing()
    {
        var settings = new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "1",
            ["Feeds:Timeout"] = "00:00:01",
        };
        await using var host = await LocalHostHarness.StartAsync(azurite, extraSettings: settings);
        host.Feeds.SetFeed("/f.xml", "F");
        // Another instance on the same storage (its own Core services and clients) holds the host's only shared slot throughout.
        using var otherInstance = CoreTestServices.Build(Alerts.Core.Storage.AlertsStorage.FromConnectionString(azurite.ConnectionString), TimeProvider.System, settings);
        var other = otherInstance.GetRequiredService<HostThrottle>();
        await using (await other.AcquireAsync(new Uri(host.Feeds.Url("/f.xml")).IdnHost, CancellationToken.None))
        {
            var busy = await host.AddFeedAsync(host.Feeds.Url("/f.xml"));

            Assert.Equal(HttpStatusCode.ServiceUnavailable, busy.StatusCode);
            Assert.True(busy.Headers.RetryAfter?.Delta > TimeSpan.Zero, "Retry-After is missing");
            Assert.Contains("try again", await busy.Content.ReadAsStringAsync());
            Assert.Equal(0, host.Feeds.RequestCount("/f.xml"));
        }
        var feeds = new List<Feed>();
        await foreach (var feed in host.Service<FeedStore>().ListAsync())
            feeds.Add(feed);
        Assert.Empty(feeds);

        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/f.xml"))).StatusCode);
    }

    [Fact]
    public async Task A_duplicate_is_409_a_page_without_a_feed_is_422_and_a_private_address_is_refused()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.SetFeed("/f.xml", "F");
        host.Feeds.Respond("/plain", 200, "<html><body>No feed here</body></html>");

        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/f.xml"))).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await host.AddFeedAsync(host.Feeds.Url("/f.xml"))).StatusCode);
        var noFeed = await host.AddFeedAsync(host.Feeds.Url("/plain"));
        Assert.Equal(HttpStatusCode.UnprocessableEntity, noFeed.StatusCode);
        Assert.Contains("links to no feed", await noFeed.Content.ReadAsStringAsync());
        var metadata = await host.AddFeedAsync("http://169.254.169.254/latest/meta-data/");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, metadata.StatusCode);
        Assert.Contains("SSRF", await metadata.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Edit_pause_resume_and_delete_with_articles_kept_until_the_retention_period()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.SetFeed("/f.xml", "F");
        host.Feeds.AddItem("/f.xml", "One", "https://f.test/1", "one");
        var id = (await JsonAsync(await host.AddFeedAsync(host.Feeds.Url("/f.xml")))).GetProperty("feed").GetProperty("id").GetString()!;
        await host.WaitForQueuesToDrainAsync();

        var edited = await host.AdminAsync(HttpMethod.Patch, $"/api/admin/feeds/{id}", new { title = "Renamed", tags = "a,b", identity = "Link" });
        Assert.Equal(HttpStatusCode.OK, edited.StatusCode);
        var feed = await host.Service<FeedStore>().GetAsync(id);
        Assert.Equal(("Renamed", "a,b", ItemIdentity.Link), (feed!.Title, feed.Tags, feed.Identity));

        Assert.Equal(HttpStatusCode.OK, (await host.AdminAsync(HttpMethod.Post, $"/api/admin/feeds/{id}/pause")).StatusCode);
        host.Clock.Advance(TimeSpan.FromDays(1));
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();
        Assert.Equal(1, host.Feeds.RequestCount("/f.xml"));

        Assert.Equal(HttpStatusCode.OK, (await host.AdminAsync(HttpMethod.Post, $"/api/admin/feeds/{id}/resume")).StatusCode);
        await host.RunTimerAsync("PollFeeds");
        await host.WaitForQueuesToDrainAsync();
        Assert.Equal(2, host.Feeds.RequestCount("/f.xml"));

        Assert.Equal(HttpStatusCode.NoContent, (await host.AdminAsync(HttpMethod.Delete, $"/api/admin/feeds/{id}")).StatusCode);
        Assert.Equal("[]", await (await host.AdminAsync(HttpMethod.Get, "/api/admin/feeds")).Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.NotFound, (await host.AdminAsync(HttpMethod.Get, $"/api/admin/feeds/{id}")).StatusCode);
        Assert.Equal(1, await CountArticlesAsync(host, id));

        host.Clock.Advance(TimeSpan.FromDays(29));
        await host.RunTimerAsync("PollFeeds");
        Assert.Equal(1, await CountArticlesAsync(host, id));
        host.Clock.Advance(TimeSpan.FromDays(2));
        await host.RunTimerAsync("PollFeeds");
        Assert.Equal(0, await CountArticlesAsync(host, id));
        Assert.Null(await host.Service<FeedStore>().GetAsync(id));
    }

    [Fact]
    public async Task Errored_feeds_are_listed_by_the_filter_and_retried_one_or_all()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.SetFeed("/ok.xml", "OK");
        host.Feeds.Respond("/a.xml", 500, "down");
        host.Feeds.Respond("/b.xml", 503, "down");
        await host.AddFeedAsync(host.Feeds.Url("/ok.xml"));
        var a = (await JsonAsync(await host.AddFeedAsync(host.Feeds.Url("/a.xml")))).GetProperty("feed");
        Assert.Equal(500, a.GetProperty("lastHttpStatus").GetInt32());
        await host.AddFeedAsync(host.Feeds.Url("/b.xml"));
        await host.WaitForQueuesToDrainAsync();

        var errored = await JsonAsync(await host.AdminAsync(HttpMethod.Get, "/api/admin/feeds?status=errored"));
        Assert.Equal([host.Feeds.Url("/a.xml"), host.Feeds.Url("/b.xml")], errored.EnumerateArray().Select(f => f.GetProperty("url").GetString()));
        Assert.All(errored.EnumerateArray(), f => Assert.True(f.GetProperty("errored").GetBoolean()));

        host.Feeds.SetFeed("/a.xml", "A");
        Assert.Equal(HttpStatusCode.Accepted, (await host.AdminAsync(HttpMethod.Post, $"/api/admin/feeds/{a.GetProperty("id").GetString()}/retry")).StatusCode);
        await host.WaitForQueuesToDrainAsync();
        Assert.Equal([host.Feeds.Url("/b.xml")], (await JsonAsync(await host.AdminAsync(HttpMethod.Get, "/api/admin/feeds?status=errored"))).EnumerateArray().Select(f => f.GetProperty("url").GetString()));

        host.Feeds.SetFeed("/b.xml", "B");
        var all = await JsonAsync(await host.AdminAsync(HttpMethod.Post, "/api/admin/feeds/retry-errored"));
        Assert.Equal(1, all.GetProperty("retried").GetInt32());
        await host.WaitForQueuesToDrainAsync();
        Assert.Equal(0, (await JsonAsync(await host.AdminAsync(HttpMethod.Get, "/api/admin/feeds?status=errored"))).GetArrayLength());
        Assert.Equal(2, host.Feeds.RequestCount("/b.xml"));
    }

    [Fact]
    public async Task Testing_a_feed_shows_items_and_problems_and_saves_nothing()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.Respond("/odd.xml", new ScriptedResponse(200, Encoding.UTF8.GetBytes("""
            <?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Odd</title><ttl>60</ttl>
            <item><title>A</title><link>https://odd.test/a</link><guid>dup</guid><pubDate>yesterday-ish</pubDate></item>
            <item><title>B</title><link>https://odd.test/b</link><guid>dup</guid><pubDate>2026-11-25 10:00:00</pubDate></item>
            </channel></rss>
            """), "application/rss+xml"));

        var report = await JsonAsync(await host.AdminAsync(HttpMethod.Post, "/api/admin/feeds/test", new { url = host.Feeds.Url("/odd.xml") }));

        Assert.Equal("Odd", report.GetProperty("title").GetString());
        Assert.Equal(2, report.GetProperty("items").GetArrayLength());
        Assert.Equal("2026-11-25T10:00:00+00:00", report.GetProperty("items")[1].GetProperty("publishedAt").GetString());
        var problems = report.GetProperty("problems").EnumerateArray().Select(p => p.GetString()!).ToList();
        Assert.Contains(problems, p => p.Contains("no readable date"));
        Assert.Contains(problems, p => p.Contains("guid(s) repeat"));
        Assert.Equal("01:00:00", report.GetProperty("declaredInterval").GetString());
        Assert.Equal(0, (await JsonAsync(await host.AdminAsync(HttpMethod.Get, "/api/admin/feeds"))).GetArrayLength());
    }

    [Fact]
    public async Task Opml_import_reports_each_entry_and_export_lists_every_feed()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.SetFeed("/existing.xml", "Existing");
        await host.AddFeedAsync(host.Feeds.Url("/existing.xml"));
        var opml = OpmlFile(host, 300, extra: $"""
            <outline text="Again" xmlUrl="{host.Feeds.Url("/existing.xml")}"/>
            <outline text="Twice" xmlUrl="{host.Feeds.Url("/feed-0.xml")}"/>
            <outline text="Broken" xmlUrl="not a url"/>
            <outline text="Metadata" xmlUrl="http://169.254.169.254/feed"/>
            """);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/admin/opml") { Content = new StringContent(opml, Encoding.UTF8, "text/x-opml") };
        request.Headers.Add("x-functions-key", LocalHostHarness.AdminKey);
        var result = await JsonAsync(await host.Http.SendAsync(request));

        Assert.Equal((300, 2, 2), (result.GetProperty("added").GetInt32(), result.GetProperty("duplicate").GetInt32(), result.GetProperty("invalid").GetInt32()));
        var entries = result.GetProperty("entries").EnumerateArray().ToList();
        Assert.Equal(304, entries.Count);
        Assert.Equal("added", entries[0].GetProperty("result").GetString());
        Assert.Equal(["duplicate", "duplicate", "invalid", "invalid"], entries.Skip(300).Select(e => e.GetProperty("result").GetString()));
        var imported = await host.Service<FeedStore>().GetAsync(Feed.IdFor(host.Feeds.Url("/feed-7.xml")));
        Assert.Equal(("Feed 7", "News,Local"), (imported!.Title, imported.Tags));

        var exported = await (await host.AdminAsync(HttpMethod.Get, "/api/admin/opml")).Content.ReadAsStringAsync();
        var reread = Alerts.Core.Admin.Opml.Read(new MemoryStream(Encoding.UTF8.GetBytes(exported)));
        Assert.Equal(301, reread.Count);
    }

    [Fact]
    public async Task Stats_count_matches_per_feed_and_per_subscription_per_day()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);
        host.Feeds.SetFeed("/busy.xml", "Busy");
        host.Feeds.AddItem("/busy.xml", "DACA hearing", "https://b.test/1", "DACA.");
        host.Feeds.AddItem("/busy.xml", "DACA ruling", "https://b.test/2", "DACA.");
        host.Feeds.SetFeed("/idle.xml", "Idle");
        host.Feeds.AddItem("/idle.xml", "Weather", "https://i.test/1", "Sunny.");
        await host.AddFeedAsync(host.Feeds.Url("/busy.xml"));
        await host.AddFeedAsync(host.Feeds.Url("/idle.xml"));
        await host.WaitForQueuesToDrainAsync();

        var stats = await JsonAsync(await host.AdminAsync(HttpMethod.Get, "/api/admin/stats?days=3"));

        var day = host.Clock.GetUtcNow().ToString("yyyy-MM-dd");
        var feeds = stats.GetProperty("feeds").EnumerateArray().ToList();
        Assert.Equal(["Busy", "Idle"], feeds.Select(f => f.GetProperty("label").GetString()));
        Assert.Equal(2, feeds[0].GetProperty("perDay").GetProperty(day).GetInt32());
        Assert.Equal(0, feeds[1].GetProperty("total").GetInt32());
        var subscription = Assert.Single(stats.GetProperty("subscriptions").EnumerateArray());
        Assert.Equal((daca.Id, "DACA", 2), (subscription.GetProperty("id").GetString(), subscription.GetProperty("label").GetString(), subscription.GetProperty("total").GetInt32()));
    }

    [Fact]
    public async Task The_edit_form_accepts_only_auto_link_or_content_and_an_unknown_feed_is_404()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        host.Feeds.SetFeed("/desk.xml", "Desk");
        await host.AddFeedAsync(host.Feeds.Url("/desk.xml"));
        var id = Feed.IdFor(host.Feeds.Url("/desk.xml"));

        foreach (var identity in new[] { "7", "Deleted", "" })
        {
            var form = new FormUrlEncodedContent(new Dictionary<string, string> { ["title"] = "Changed", ["tags"] = "x", ["identity"] = identity });
            var response = await host.Http.PostAsync($"/manage-feeds/{id}/edit?code={LocalHostHarness.AdminKey}", form);
            Assert.Equal(HttpStatusCode.Redirect, response.StatusCode); // back to the list, with the error to show
            Assert.Contains("error=", response.Headers.Location!.OriginalString, StringComparison.Ordinal);
        }
        var stored = await host.Service<FeedStore>().GetAsync(id);
        Assert.Equal(("Desk", ItemIdentity.Auto), (stored!.Title, stored.Identity));

        var missing = await host.Http.GetAsync($"/manage-feeds/0123456789abcdef/edit?code={LocalHostHarness.AdminKey}");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
    }

    [Fact]
    public async Task Every_admin_route_answers_401_without_the_key_and_to_a_subscriber_token()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        // A subscriber's signed link token: the strongest credential a subscriber ever holds.
        var subscribed = await host.Http.PostAsJsonAsync("/api/subscriptions", new { email = "sam@example.test", query = "DACA", frequency = "daily" });
        Assert.Equal(HttpStatusCode.Accepted, subscribed.StatusCode);
        var email = await host.EmailToAsync("sam@example.test");
        var token = Uri.UnescapeDataString(System.Text.RegularExpressions.Regex.Match(email.TextBody ?? "", @"token=([^\s&""]+)").Groups[1].Value);
        Assert.NotEmpty(token);

        var admin = DeclaredFunctions.All.Where(f => f.Method.DeclaringType == typeof(AdminFunctions)).ToList();
        Assert.NotEmpty(admin);
        foreach (var function in admin)
        {
            Assert.True(function.AdminOnly, function.Name);
            var path = "/" + function.Route!.Replace("{id}", "0123456789abcdef").Replace("{verb}", "retry");
            var method = new HttpMethod(function.Methods![0].ToUpperInvariant());
            foreach (var suffix in new[] { "", "?code=" + Uri.EscapeDataString(token), "?token=" + Uri.EscapeDataString(token) })
            {
                using var request = new HttpRequestMessage(method, path + suffix) { Content = new StringContent("{}", Encoding.UTF8, "application/json") };
                var response = await host.Http.SendAsync(request);
                Assert.True(response.StatusCode == HttpStatusCode.Unauthorized, $"{function.Name} {method} {path}{suffix}: {response.StatusCode}");
            }
        }
        // No subscriber route is an admin route, and no admin action sits under a subscriber path.
        Assert.All(DeclaredFunctions.All.Where(f => !f.AdminOnly && f.Route is not null), f =>
            Assert.False(f.Route!.StartsWith("api/admin", StringComparison.Ordinal) || f.Route.StartsWith("manage-feeds", StringComparison.Ordinal), f.Name));
    }

    internal static string OpmlFile(LocalHostHarness host, int count, string extra = "")
    {
        var outlines = new StringBuilder();
        for (var i = 0; i < count; i++)
            outlines.Append($"""<outline type="rss" text="Feed {i}" title="Feed {i}" xmlUrl="{host.Feeds.Url($"/feed-{i}.xml")}" category="Local"/>""").Append('\n');
        return $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <opml version="2.0"><head><title>Export</title></head><body>
            <outline text="News" title="News">
            {outlines}
            </outline>
            {extra}
            </body></opml>
            """;
    }

    private static async Task<int> CountArticlesAsync(LocalHostHarness host, string feedId)
    {
        var count = 0;
        await foreach (var _ in host.Service<ArticleStore>().ListByFeedAsync(feedId))
            count++;
        return count;
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(response.IsSuccessStatusCode, $"{(int)response.StatusCode}: {text}");
        return JsonDocument.Parse(text).RootElement.Clone();
    }
}
