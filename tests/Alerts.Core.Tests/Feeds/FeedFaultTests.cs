using System.Text;
using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>Each fault ends as a recorded feed error, never an exception, and leaves other feeds alone.</summary>
[Collection(StorageCollection.Name)]
public sealed class FeedFaultTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private const int SizeLimit = 64 * 1024;

    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    public static TheoryData<string, FeedErrorKind, int?> Faults => new()
    {
        { "404", FeedErrorKind.Http, 404 },
        { "500 with a valid feed body", FeedErrorKind.Http, 500 },
        { "timeout", FeedErrorKind.Timeout, null },
        { "HTML page", FeedErrorKind.NotAFeed, 200 },
        { "empty body", FeedErrorKind.NotAFeed, 200 },
        { "billion laughs", FeedErrorKind.NotAFeed, 200 },
        { "too large with Content-Length", FeedErrorKind.TooLarge, 200 },
        { "too large without Content-Length", FeedErrorKind.TooLarge, 200 },
        { "connection refused", FeedErrorKind.Network, null },
        { "gzip bomb", FeedErrorKind.TooLarge, 200 },
        { "redirect loop", FeedErrorKind.Http, 302 },
    };

    [Theory]
    [MemberData(nameof(Faults))]
    public async Task A_fault_is_recorded_on_its_feed_and_other_feeds_in_the_cycle_are_unaffected(
        string fault, FeedErrorKind kind, int? status)
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxResponseBytes"] = SizeLimit.ToString(),
        });
        var good = _server.SetFeed("/good.xml", new RssBuilder("Good"));
        good.AddItem("Fine", "https://good.test/1", "fine");
        var badUrl = Arrange(fault);

        var before = await host.AddFeedAsync(_server.Url("/before.xml"));
        _server.SetFeed("/before.xml").AddItem("Before", "https://good.test/before", "b");
        var bad = await host.AddFeedAsync(badUrl);
        var after = await host.AddFeedAsync(_server.Url("/good.xml"));

        // One poll cycle, then every queued fetch, in queue order, as the host would.
        Assert.Equal(3, await host.Poll.HandleAsync(CancellationToken.None));
        var started = DateTime.UtcNow;
        foreach (var message in await host.FetchMessagesAsync())
            await host.Fetch.HandleAsync(message, CancellationToken.None);
        Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(15), "Faults must fail fast.");

        var saved = await host.GetFeedAsync(bad.Id);
        Assert.Equal(kind, saved.LastErrorKind);
        Assert.Equal(status, saved.LastHttpStatus);
        Assert.Equal(1, saved.ConsecutiveFailures);
        Assert.False(string.IsNullOrWhiteSpace(saved.LastError));
        Assert.Null(saved.LastSuccessAt);
        Assert.Equal(FeedStatus.Active, saved.Status);
        Assert.Equal(host.Time.GetUtcNow(), saved.LastCheckedAt);
        // First failure: twice the poll interval, ±10%.
        var delay = saved.NextCheckAt - host.Time.GetUtcNow();
        Assert.InRange(delay, saved.PollInterval * 2 * 0.9, saved.PollInterval * 2 * 1.1);
        Assert.Empty(await host.ArticlesAsync(bad));

        foreach (var ok in new[] { before, after })
        {
            var okSaved = await host.GetFeedAsync(ok.Id);
            Assert.Equal(0, okSaved.ConsecutiveFailures);
            Assert.Null(okSaved.LastErrorKind);
            Assert.Single(await host.ArticlesAsync(ok));
        }
        Assert.Equal(2, (await host.MatchMessagesAsync()).Count);
    }

    private string Arrange(string fault)
    {
        switch (fault)
        {
            case "404":
                return _server.Url("/missing.xml");
            case "500 with a valid feed body":
                // FeedReader alone would accept this as a successful fetch.
                var rss = new RssBuilder().AddItem("Error page item", "https://bad.test/1", "x").Build();
                _server.Respond("/bad.xml", 500, rss, contentType: "application/rss+xml");
                break;
            case "timeout":
                _server.Hang("/bad.xml", TimeSpan.FromSeconds(30));
                break;
            case "HTML page":
                _server.Respond("/bad.xml", 200, "<!DOCTYPE html><html><head><title>Home</title></head><body><p>Welcome</p><br></body></html>");
                break;
            case "empty body":
                _server.Respond("/bad.xml", 200, "", contentType: "application/rss+xml");
                break;
            case "billion laughs":
                _server.Respond("/bad.xml", 200, XmlBomb.BillionLaughs, contentType: "application/rss+xml");
                break;
            case "too large with Content-Length":
            case "too large without Content-Length":
                _server.Respond("/bad.xml", new ScriptedResponse(200, BigFeed(SizeLimit * 4), "application/rss+xml",
                    SendContentLength: fault.EndsWith("with Content-Length", StringComparison.Ordinal)));
                break;
            case "gzip bomb":
                // Small on the wire (so Content-Length passes), far over the limit once decompressed.
                var compressed = Gzip(BigFeed(SizeLimit * 16));
                Assert.True(compressed.Length < SizeLimit);
                _server.Respond("/bad.xml", new ScriptedResponse(200, compressed, "application/rss+xml",
                    Headers: new Dictionary<string, string> { ["Content-Encoding"] = "gzip" }));
                break;
            case "redirect loop":
                _server.Respond("/bad.xml", new ScriptedResponse(302, [], Headers: new Dictionary<string, string> { ["Location"] = "/bad.xml" }));
                break;
            case "connection refused":
                return $"http://127.0.0.1:{FreePort.Next()}/feed.xml";
            default:
                throw new ArgumentOutOfRangeException(nameof(fault), fault, null);
        }
        return _server.Url("/bad.xml");
    }

    internal static byte[] Gzip(byte[] data)
    {
        using var output = new MemoryStream();
        using (var gzip = new System.IO.Compression.GZipStream(output, System.IO.Compression.CompressionLevel.Optimal))
            gzip.Write(data);
        return output.ToArray();
    }

    /// <summary>A valid feed, so only the size can be the reason it is refused.</summary>
    internal static byte[] BigFeed(int atLeastBytes)
    {
        var rss = new RssBuilder("Big");
        var padding = new string('x', 1000);
        for (var i = 0; Encoding.UTF8.GetByteCount(rss.Build()) < atLeastBytes; i += 50)
            for (var j = i; j < i + 50; j++)
                rss.AddItem($"Item {j}", $"https://big.test/{j}", padding);
        return rss.BuildBytes();
    }

    [Fact]
    public async Task Backoff_grows_with_each_failure_and_resets_on_success()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Respond("/flaky.xml", 503, "busy");
        var feed = await host.AddFeedAsync(_server.Url("/flaky.xml"));

        var delays = new List<TimeSpan>();
        for (var i = 0; i < 4; i++)
        {
            await host.FetchAsync(feed);
            var saved = await host.GetFeedAsync(feed.Id);
            Assert.Equal(i + 1, saved.ConsecutiveFailures);
            delays.Add(saved.NextCheckAt - host.Time.GetUtcNow());
            host.Time.SetUtcNow(saved.NextCheckAt);
        }
        for (var i = 1; i < delays.Count; i++)
            Assert.True(delays[i] > delays[i - 1], $"Delay {i + 1} ({delays[i]}) should exceed delay {i} ({delays[i - 1]}).");
        Assert.InRange(delays[3], TimeSpan.FromMinutes(15 * 16 * 0.9), TimeSpan.FromMinutes(15 * 16 * 1.1));

        var rss = _server.SetFeed("/flaky.xml");
        rss.AddItem("Back", "https://flaky.test/1", "up again");
        await host.FetchAsync(feed);
        var recovered = await host.GetFeedAsync(feed.Id);
        Assert.Equal(0, recovered.ConsecutiveFailures);
        Assert.Null(recovered.LastErrorKind);
        Assert.Null(recovered.LastError);
        Assert.Equal(host.Time.GetUtcNow() + recovered.PollInterval, recovered.NextCheckAt);
    }

    [Fact]
    public async Task Retry_after_is_honoured_when_longer_than_the_backoff()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Respond("/busy.xml", new ScriptedResponse(429, Encoding.UTF8.GetBytes("slow down"),
            Headers: new Dictionary<string, string> { ["Retry-After"] = "7200" }));
        var feed = await host.AddFeedAsync(_server.Url("/busy.xml"));

        await host.FetchAsync(feed);

        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(429, saved.LastHttpStatus);
        Assert.Equal(host.Time.GetUtcNow() + TimeSpan.FromHours(2), saved.NextCheckAt);
    }

    [Fact]
    public async Task Gone_disables_the_feed()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Respond("/gone.xml", 410, "gone");
        var feed = await host.AddFeedAsync(_server.Url("/gone.xml"));

        await host.FetchAsync(feed);

        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(FeedStatus.Disabled, saved.Status);
        Assert.Equal(410, saved.LastHttpStatus);
        Assert.NotNull(saved.DisabledReason);
    }
}
