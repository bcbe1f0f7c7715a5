using System.Text;
using System.Text.RegularExpressions;
using Alerts.Core.Admin;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Admin;

/// <summary>
/// Golden files of every admin page, rendered through the request handlers with fixed feeds, matches and clock.
/// They were written by the string-built pages before the pages became Razor components, so a difference is a
/// change in what admins see. Set ALERTS_UPDATE_SNAPSHOTS=1 to rewrite them after a change made on purpose.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class AdminPageSnapshotTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);
    private const string Key = "k&y<1>";
    private ServiceProvider _services = null!;
    private TestFeedServer _server = null!;

    public async Task InitializeAsync()
    {
        var storage = await azurite.ResetAsync();
        _server = await TestFeedServer.StartAsync();
        _services = CoreTestServices.Build(storage, new FakeTimeProvider(Now), new Dictionary<string, string?>
        {
            ["Admin:ApiKey"] = Key,
            ["Site:Name"] = "Alerts <Dev>",
            ["Feeds:AllowLoopback"] = "true",
            ["Feeds:MinHostGap"] = "00:00:00",
        });
        await SeedAsync(storage);
    }

    public async Task DisposeAsync()
    {
        await _services.DisposeAsync();
        await _server.DisposeAsync();
    }

    private static Feed Healthy => Feed.Create("https://city.test/feed.xml", Now.AddDays(-4), TimeSpan.FromMinutes(15), "<b>City</b> & \"Desk\"", "local,politics") with
    {
        FirstFetchedAt = Now.AddDays(-2),
        LastSuccessAt = Now.AddMinutes(-10), LastCheckedAt = Now.AddMinutes(-10), LastHttpStatus = 200, NextCheckAt = Now.AddMinutes(5),
        LastNewItemAt = Now.AddHours(-1), ItemsSeen = 38, BytesSavedBy304 = 3 * 1024 * 1024 + 200, LastResponseMs = 120,
        LastRepairs = "2 undeclared entities repaired",
    };

    private static Feed Failing => Feed.Create("https://broken.test/rss?a=1&b=<2>", Now.AddDays(-1), TimeSpan.FromMinutes(30)) with
    {
        LastHttpStatus = 503, LastErrorKind = FeedErrorKind.Http, LastError = "503 <Service Unavailable>", ConsecutiveFailures = 3,
        FailingSince = Now.AddHours(-2), NextCheckAt = Now.AddMinutes(40), LastResponseMs = 2000, BytesSavedBy304 = 900,
    };

    private static Feed Paused => Feed.Create("https://quiet.test/atom", Now.AddDays(-10), TimeSpan.FromHours(1), "Quiet", "") with
    {
        Status = FeedStatus.Paused, LastSuccessAt = Now.AddDays(-3), LastHttpStatus = 304, BytesSavedBy304 = 5000, Identity = ItemIdentity.Content,
        FullText = FullTextMode.Auto,
    };

    private static Feed Disabled => Feed.Create("https://gone.test/feed", Now.AddDays(-20), TimeSpan.FromHours(1), "Gone", "archive") with
    {
        Status = FeedStatus.Disabled, DisabledReason = "410 Gone: the publisher removed the feed.", LastHttpStatus = 410,
    };

    private static Feed Deleted => Feed.Create("https://old.test/rss", Now.AddDays(-40), TimeSpan.FromHours(1), "Old <news>", "") with
    {
        Status = FeedStatus.Deleted, DeletedAt = Now.AddDays(-2).AddHours(-3),
    };

    private static async Task SeedAsync(AlertsStorage storage)
    {
        var feeds = new FeedStore(storage);
        foreach (var feed in new[] { Healthy, Failing, Paused, Disabled, Deleted })
            Assert.True(await feeds.TryAddAsync(feed));
        // The healthy feed's first fetch found 3 items; 10 more arrived in the two days since: 5 a day.
        var articles = storage.Table(TableNames.Articles);
        for (var i = 0; i < 13; i++)
            await articles.AddEntityAsync(new TableEntity(Healthy.Id, $"item{i}") { ["FirstSeenAt"] = i < 3 ? Healthy.FirstFetchedAt : Now.AddHours(-4 * (i - 2)) });
        var matches = storage.Table(TableNames.Matches);
        var rows = new (string Subscription, string Feed, string Item, int DaysAgo)[]
        {
            ("sub-a", Healthy.Id, "1", 0), ("sub-a", Healthy.Id, "2", 1), ("sub-b", Healthy.Id, "1", 0), ("sub-b", Failing.Id, "9", 2),
        };
        foreach (var (subscription, feed, item, daysAgo) in rows)
            await matches.AddEntityAsync(new TableEntity(subscription, $"{feed}_{item}") { ["MatchedAt"] = Now.AddDays(-daysAgo).AddHours(-1) });
    }

    [Fact]
    public Task The_feeds_page_matches_its_golden_file() =>
        AssertPage("feeds", Get($"/manage-feeds?code={Code}&notice={Uri.EscapeDataString("Added <b>x</b>.")}&error={Uri.EscapeDataString("Not added: \"y\" & <z>")}"),
            (pages, r) => pages.FeedsAsync(r));

    [Fact]
    public Task The_feeds_page_after_a_delete_with_its_undo_and_a_warning_matches_its_golden_file() =>
        AssertPage("feeds-undo", Get($"/manage-feeds?code={Code}&notice=Feed%20deleted%3A%20Old.&undo={Deleted.Id}&warning={Uri.EscapeDataString("X was added, but <its> first fetch failed.")}"),
            (pages, r) => pages.FeedsAsync(r));

    [Fact]
    public Task The_delete_confirmation_matches_its_golden_file() =>
        AssertPage("confirm-delete", Post($"/manage-feeds/{Healthy.Id}/delete?code={Code}", Form()), (pages, r) => pages.FeedActionAsync(r, Healthy.Id, "delete"));

    [Fact]
    public Task A_failed_add_matches_its_golden_file()
    {
        _server.Respond("/plain", 200, "just text", contentType: "text/plain");
        return AssertPage("add-not-a-feed", Post($"/manage-feeds/add?code={Code}", Form(("url", _server.Url("/plain")), ("tags", "a, <b>"))), (pages, r) => pages.AddAsync(r));
    }

    [Fact]
    public Task A_refused_add_of_a_dead_url_matches_its_golden_file()
    {
        _server.Respond("/gone.xml", 404, "Not here", contentType: "text/plain");
        return AssertPage("add-dead", Post($"/manage-feeds/add?code={Code}", Form(("url", _server.Url("/gone.xml")))), (pages, r) => pages.AddAsync(r));
    }

    [Fact]
    public Task The_errored_feeds_page_matches_its_golden_file() =>
        AssertPage("feeds-errored", Get($"/manage-feeds?code={Code}&status=errored"), (pages, r) => pages.FeedsAsync(r));

    [Fact]
    public Task The_edit_page_matches_its_golden_file() =>
        AssertPage("edit", Get($"/manage-feeds/{Healthy.Id}/edit?code={Code}"), (pages, r) => pages.EditAsync(r, Healthy.Id));

    [Fact]
    public Task The_edit_page_of_a_paused_feed_matches_its_golden_file() =>
        AssertPage("edit-paused", Get($"/manage-feeds/{Paused.Id}/edit?code={Code}"), (pages, r) => pages.EditAsync(r, Paused.Id));

    [Fact]
    public Task The_edit_page_of_a_missing_feed_matches_its_golden_file() =>
        AssertPage("edit-missing", Get($"/manage-feeds/nope/edit?code={Code}"), (pages, r) => pages.EditAsync(r, "nope"));

    [Fact]
    public Task The_unknown_action_page_matches_its_golden_file() =>
        AssertPage("action-unknown", Post($"/manage-feeds/{Healthy.Id}/explode?code={Code}", Form()), (pages, r) => pages.FeedActionAsync(r, Healthy.Id, "explode"));

    [Fact]
    public Task The_test_form_matches_its_golden_file() =>
        AssertPage("test-form", Get($"/manage-feeds/test?code={Code}"), (pages, r) => pages.TestAsync(r));

    [Fact]
    public Task The_test_form_without_a_url_matches_its_golden_file() =>
        AssertPage("test-empty", Post($"/manage-feeds/test?code={Code}", Form(("url", " "))), (pages, r) => pages.TestAsync(r));

    [Fact]
    public Task The_test_report_matches_its_golden_file()
    {
        _server.Respond("/odd.xml", 200, """
            <?xml version="1.0" encoding="UTF-8"?>
            <rss version="2.0"><channel><title>Odd &amp; Ends</title><link>https://odd.test/</link><ttl>60</ttl>
            <item><title>Council: A &amp;lt;b&amp;gt; B &amp;amp; "C"</title><link>https://odd.test/1</link><guid>same</guid>
              <pubDate>Wed, 25 Nov 2026 10:00:00 GMT</pubDate><description>First &lt;i&gt;one&lt;/i&gt;.</description></item>
            <item><title>Budget</title><link>javascript:alert(2)</link><guid>same</guid><description>Second, undated.</description></item>
            <item><title></title><link>https://odd.test/3</link><guid>three</guid><pubDate>Tue, 24 Nov 2026 08:30:00 GMT</pubDate></item>
            </channel></rss>
            """, contentType: "application/rss+xml");
        return AssertPage("test-report", Post($"/manage-feeds/test?code={Code}", Form(("url", _server.Url("/odd.xml")))), (pages, r) => pages.TestAsync(r));
    }

    [Fact]
    public Task The_test_report_of_a_page_that_is_not_a_feed_matches_its_golden_file()
    {
        _server.Respond("/plain", 200, "just text", contentType: "text/plain");
        return AssertPage("test-not-a-feed", Post($"/manage-feeds/test?code={Code}", Form(("url", _server.Url("/plain")))), (pages, r) => pages.TestAsync(r));
    }

    [Fact]
    public Task The_stats_page_matches_its_golden_file() =>
        AssertPage("stats", Get($"/manage-feeds/stats?code={Code}&days=3"), (pages, r) => pages.StatsAsync(r));

    [Fact]
    public Task The_import_results_page_matches_its_golden_file()
    {
        var opml = """
            <?xml version="1.0"?><opml version="2.0"><head><title>x</title></head><body>
            <outline type="rss" text="New &amp; &lt;Shiny&gt;" xmlUrl="https://new.test/feed" category="a,b"/>
            <outline type="rss" text="Dup" xmlUrl="https://city.test/feed.xml"/>
            <outline type="rss" text="Bad" xmlUrl="ftp://x.test/&lt;feed&gt;"/>
            </body></opml>
            """;
        return AssertPage("import", Multipart($"/manage-feeds/import?code={Code}", "opml", "feeds.opml", opml), (pages, r) => pages.ImportAsync(r));
    }

    [Fact]
    public Task The_refusal_without_the_key_matches_its_golden_file() =>
        // The key is checked once per host before any admin function runs (AdminKey), not by the pages themselves.
        AssertPage("refused", Get("/manage-feeds"), (_, r) => Task.FromResult(_services.GetRequiredService<AdminKey>().Refusal(r)
            ?? throw new InvalidOperationException("A request without the key was not refused.")));

    private static string Code => Uri.EscapeDataString(Key);

    private async Task AssertPage(string name, HttpContext context, Func<AdminPages, HttpRequest, Task<IResult>> handler)
    {
        context.RequestServices = _services;
        var body = new MemoryStream();
        context.Response.Body = body;
        var result = await handler(_services.GetRequiredService<AdminPages>(), context.Request);
        await result.ExecuteAsync(context);
        var html = $"status: {context.Response.StatusCode}\n" + Stable(Encoding.UTF8.GetString(body.ToArray()));

        var path = Path.Combine(RepositoryRoot.Path, "tests", "Alerts.Core.Tests", "Admin", "Snapshots", $"admin-{name}.html");
        if (Environment.GetEnvironmentVariable("ALERTS_UPDATE_SNAPSHOTS") == "1")
            await File.WriteAllTextAsync(path, html);
        Assert.True(File.Exists(path), $"No golden file {path}; run once with ALERTS_UPDATE_SNAPSHOTS=1 and review it.");
        var golden = await File.ReadAllTextAsync(path);
        Assert.Equal(Normalise(golden), Normalise(html));
    }

    /// <summary>
    /// <see cref="Web.PageLayoutTests.Normalise"/> (decoded text, whitespace collapsed), and two differences of
    /// serialisation only: HtmlRenderer closes void elements as <c>&lt;input … /&gt;</c>, and a template's line breaks
    /// between tags need not fall where a string builder's did. Text, tags, attributes and their order must match.
    /// </summary>
    private static string Normalise(string html) =>
        Regex.Replace(Regex.Replace(Web.PageLayoutTests.Normalise(html), @"\s*/>", ">"), @">\s+<", "><");

    /// <summary>The test feed server's port and the measured response time change from run to run.</summary>
    private string Stable(string html) =>
        Regex.Replace(html.Replace(_server.BaseUri.GetLeftPart(UriPartial.Authority), "http://feeds.test"), @"<dd>\d+ ms</dd>", "<dd>N ms</dd>");

    private static DefaultHttpContext Get(string pathAndQuery) => Request("GET", pathAndQuery, null, null);

    private static DefaultHttpContext Post(string pathAndQuery, FormUrlEncodedContent form) =>
        Request("POST", pathAndQuery, form.ReadAsByteArrayAsync().Result, form.Headers.ContentType!.ToString());

    private static DefaultHttpContext Multipart(string pathAndQuery, string field, string fileName, string content)
    {
        var form = new MultipartFormDataContent("snapshot-boundary");
        var file = new ByteArrayContent(Encoding.UTF8.GetBytes(content));
        file.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("text/x-opml");
        form.Add(file, field, fileName);
        return Request("POST", pathAndQuery, form.ReadAsByteArrayAsync().Result, form.Headers.ContentType!.ToString());
    }

    private static FormUrlEncodedContent Form(params (string Key, string Value)[] fields) =>
        new(fields.Select(f => new KeyValuePair<string, string>(f.Key, f.Value)));

    private static DefaultHttpContext Request(string method, string pathAndQuery, byte[]? body, string? contentType)
    {
        var context = new DefaultHttpContext();
        var question = pathAndQuery.IndexOf('?');
        context.Request.Method = method;
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("localhost");
        context.Request.Path = question < 0 ? pathAndQuery : pathAndQuery[..question];
        context.Request.QueryString = question < 0 ? QueryString.Empty : new QueryString(pathAndQuery[question..]);
        if (body is not null)
        {
            context.Request.Body = new MemoryStream(body);
            context.Request.ContentLength = body.Length;
            context.Request.ContentType = contentType;
        }
        return context;
    }
}
