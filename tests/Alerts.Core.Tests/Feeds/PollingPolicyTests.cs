using System.Net;
using System.Text;
using Alerts.Core.Feeds;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>Polling policies through the real fetch path against a scripted loopback server.</summary>
[Collection(StorageCollection.Name)]
public sealed class PollingPolicyTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Without_allow_loopback_the_ssrf_guard_refuses_a_loopback_feed_before_any_request()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?> { ["Feeds:AllowLoopback"] = "false" });
        _server.SetFeed("/f.xml").AddItem("One", "https://f.test/1", "one");
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));

        await host.FetchAsync(feed);

        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(FeedErrorKind.Refused, saved.LastErrorKind);
        Assert.Contains("loopback", saved.LastError);
        Assert.Equal(0, _server.RequestCount("/f.xml"));
    }

    [Fact]
    public async Task The_guard_also_refuses_a_redirect_from_an_allowed_host_to_the_metadata_address()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Redirect("/moved.xml", 302, "http://169.254.169.254/latest/meta-data/");
        var feed = await host.AddFeedAsync(_server.Url("/moved.xml"));

        await host.FetchAsync(feed);

        Assert.Equal(FeedErrorKind.Refused, (await host.GetFeedAsync(feed.Id)).LastErrorKind);
    }

    [Theory]
    [InlineData("127.0.0.1", FeedAddressGuard.AddressClass.Loopback)]
    [InlineData("::1", FeedAddressGuard.AddressClass.Loopback)]
    [InlineData("10.1.2.3", FeedAddressGuard.AddressClass.Private)]
    [InlineData("172.20.0.1", FeedAddressGuard.AddressClass.Private)]
    [InlineData("192.168.1.1", FeedAddressGuard.AddressClass.Private)]
    [InlineData("fd00::1", FeedAddressGuard.AddressClass.Private)]
    [InlineData("169.254.169.254", FeedAddressGuard.AddressClass.Forbidden)]
    [InlineData("fe80::1", FeedAddressGuard.AddressClass.Forbidden)]
    [InlineData("0.0.0.0", FeedAddressGuard.AddressClass.Forbidden)]
    [InlineData("::ffff:10.0.0.1", FeedAddressGuard.AddressClass.Private)]
    [InlineData("93.184.216.34", FeedAddressGuard.AddressClass.Public)]
    [InlineData("2606:2800:220:1::1", FeedAddressGuard.AddressClass.Public)]
    public void Addresses_are_classified_for_the_guard(string address, FeedAddressGuard.AddressClass expected) =>
        Assert.Equal(expected, FeedAddressGuard.Classify(IPAddress.Parse(address)));

    [Fact]
    public void Metadata_addresses_stay_refused_even_when_private_networks_and_loopback_are_allowed()
    {
        var open = new FeedFetchOptions { AllowLoopback = true, AllowPrivateNetworks = true };
        Assert.False(FeedAddressGuard.IsAllowed(IPAddress.Parse("169.254.169.254"), open));
        Assert.True(FeedAddressGuard.IsAllowed(IPAddress.Parse("10.0.0.1"), open));
        Assert.False(FeedAddressGuard.IsAllowed(IPAddress.Parse("10.0.0.1"), new FeedFetchOptions()));
    }

    [Theory]
    [InlineData(301, true)]
    [InlineData(308, true)]
    [InlineData(302, false)]
    [InlineData(307, false)]
    public async Task Permanent_redirects_update_the_stored_url_and_temporary_ones_do_not(int status, bool moves)
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.SetFeed("/new.xml").AddItem("One", "https://f.test/1", "one");
        _server.Redirect("/old.xml", status, "/new.xml");
        var feed = await host.AddFeedAsync(_server.Url("/old.xml"));

        await host.FetchAsync(feed);

        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(moves ? _server.Url("/new.xml") : _server.Url("/old.xml"), saved.Url);
        Assert.Single(await host.ArticlesAsync(feed));
        host.Time.Advance(TimeSpan.FromDays(1));
        await host.FetchAsync(feed);
        Assert.Equal(moves ? 1 : 2, _server.RequestCount("/old.xml"));
    }

    [Theory]
    [InlineData("Cache-Control", "max-age=7200", 120)]
    [InlineData("Cache-Control", "public, max-age=31536000", 24 * 60)] // capped at the ceiling
    [InlineData("Cache-Control", "max-age=60", 15)] // below the poll interval: no effect
    public async Task Cache_control_max_age_is_a_floor_capped_at_the_ceiling(string header, string value, int expectedMinutes)
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.SetFeed("/f.xml");
        _server.SetHeaders("/f.xml", new Dictionary<string, string> { [header] = value });
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));

        await host.FetchAsync(feed);

        Assert.Equal(host.Time.GetUtcNow() + TimeSpan.FromMinutes(expectedMinutes), (await host.GetFeedAsync(feed.Id)).NextCheckAt);
    }

    [Fact]
    public async Task Expires_is_a_floor_too_and_applies_on_304()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.SetFeed("/f.xml").AddItem("One", "https://f.test/1", "one");
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));
        await host.FetchAsync(feed);
        _server.SetHeaders("/f.xml", new Dictionary<string, string>
        {
            ["Date"] = DateTimeOffset.UtcNow.ToString("r"),
            ["Expires"] = DateTimeOffset.UtcNow.AddHours(3).ToString("r"),
        });

        await host.FetchAsync(feed);

        Assert.Equal(1, _server.NotModifiedCount("/f.xml"));
        var wait = (await host.GetFeedAsync(feed.Id)).NextCheckAt - host.Time.GetUtcNow();
        Assert.InRange(wait, TimeSpan.FromHours(3) - TimeSpan.FromSeconds(5), TimeSpan.FromHours(3) + TimeSpan.FromSeconds(5));
    }

    [Theory]
    [InlineData("<ttl>180</ttl>", 180)]
    [InlineData("<sy:updatePeriod>hourly</sy:updatePeriod><sy:updateFrequency>2</sy:updateFrequency>", 30)]
    [InlineData("<sy:updatePeriod>daily</sy:updatePeriod>", 24 * 60)]
    [InlineData("<ttl>60</ttl><sy:updatePeriod>daily</sy:updatePeriod><sy:updateFrequency>12</sy:updateFrequency>", 120)]
    public async Task Rss_ttl_and_sy_update_period_are_a_floor_that_lasts_through_304s(string channelXml, int expectedMinutes)
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.SetFeed("/f.xml").ChannelXml = channelXml;
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));

        await host.FetchAsync(feed);
        var expected = TimeSpan.FromMinutes(Math.Max(expectedMinutes, 15));
        Assert.Equal(host.Time.GetUtcNow() + expected, (await host.GetFeedAsync(feed.Id)).NextCheckAt);

        host.Time.Advance(expected);
        await host.FetchAsync(feed);
        Assert.Equal(1, _server.NotModifiedCount("/f.xml"));
        Assert.Equal(host.Time.GetUtcNow() + expected, (await host.GetFeedAsync(feed.Id)).NextCheckAt);
    }

    [Fact]
    public async Task The_poll_interval_follows_the_posting_rate_between_floor_and_ceiling()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var now = host.Time.GetUtcNow();
        var busy = _server.SetFeed("/busy.xml");
        var steady = _server.SetFeed("/steady.xml");
        var quiet = _server.SetFeed("/quiet.xml");
        for (var i = 10; i >= 0; i--)
        {
            busy.AddItem($"Busy {i}", $"https://f.test/busy/{i}", "b", now.AddMinutes(-i));
            steady.AddItem($"Steady {i}", $"https://f.test/steady/{i}", "s", now.AddMinutes(-40 * i));
            quiet.AddItem($"Quiet {i}", $"https://f.test/quiet/{i}", "q", now.AddDays(-30 - 2 * i));
        }
        var feeds = new[] { "/busy.xml", "/steady.xml", "/quiet.xml" };
        var ids = new List<string>();
        foreach (var path in feeds)
        {
            var feed = await host.AddFeedAsync(_server.Url(path));
            await host.FetchAsync(feed);
            ids.Add(feed.Id);
        }

        Assert.Equal(TimeSpan.FromMinutes(5), (await host.GetFeedAsync(ids[0])).PollInterval); // every minute: the floor
        Assert.Equal(TimeSpan.FromMinutes(40), (await host.GetFeedAsync(ids[1])).PollInterval); // every 40 minutes
        Assert.Equal(TimeSpan.FromHours(24), (await host.GetFeedAsync(ids[2])).PollInterval); // silent for a month: the ceiling
    }

    [Theory]
    [InlineData(new[] { 0, 60, 120, 180 }, 0, 60)]
    [InlineData(new[] { 0, 1, 2 }, 0, 5)]
    [InlineData(new[] { 0, 60 }, 600, 300)] // silent for ten hours after hourly posts: half the silence
    [InlineData(new[] { 0 }, 0, 15)] // one dated item: keep the current interval
    public void Adaptive_interval_is_average_gap_or_half_the_silence(int[] minutesAgo, int silenceMinutes, int expectedMinutes)
    {
        var now = FeedTestHost.Start;
        var dates = minutesAgo.Select(m => now.AddMinutes(-m - silenceMinutes));
        var interval = FeedSchedule.AdaptiveInterval(dates, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), now);
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), interval);
    }

    [Fact]
    public async Task A_feed_that_backdates_its_items_is_polled_at_the_pace_its_new_items_first_appear()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var start = host.Time.GetUtcNow();
        var rss = _server.SetFeed("/backdated.xml");
        // The backlog: hourly items, each dated three days before it was put out.
        for (var i = 5; i >= 1; i--)
            rss.AddItem($"Old {i}", $"https://f.test/old/{i}", "o", start.AddHours(-i).AddDays(-3));
        var feed = await host.AddFeedAsync(_server.Url("/backdated.xml"));
        await host.FetchAsync(feed);

        // Then one new item an hour, again dated three days back.
        for (var hour = 1; hour <= 4; hour++)
        {
            host.Time.SetUtcNow(start.AddHours(hour));
            _server.AddItem("/backdated.xml", $"New {hour}", $"https://f.test/new/{hour}", "n", host.Time.GetUtcNow().AddDays(-3));
            await host.FetchAsync(feed);
        }

        // By publication dates alone it looks silent for three days (half that is past the 24 h ceiling); the items
        // first appeared an hour apart, and that is the pace it is polled at.
        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(TimeSpan.FromHours(1), saved.PollInterval);
        Assert.Equal(start, saved.FirstFetchedAt);
        Assert.Equal(host.Time.GetUtcNow() + TimeSpan.FromHours(1), saved.NextCheckAt);
    }

    [Theory]
    [InlineData(new[] { 0, 60, 120 }, 0, 60)] // one arrival an hour
    [InlineData(new[] { 0, 0, 0, 60, 60, 60 }, 0, 20)] // three found by each hourly fetch: one every 20 minutes
    [InlineData(new[] { 0, 60 }, 600, 300)] // quiet for ten hours since: half the silence
    [InlineData(new[] { 0, 0 }, 0, 15)] // one fetch's worth tells no pace: the dates (none here) or the current interval
    public void Adaptive_interval_from_arrivals_is_their_span_over_the_later_arrivals_or_half_the_silence(
        int[] minutesAgo, int silenceMinutes, int expectedMinutes)
    {
        var now = FeedTestHost.Start;
        var arrivals = minutesAgo.Select(m => now.AddMinutes(-m - silenceMinutes));
        var interval = FeedSchedule.AdaptiveInterval(arrivals, [], TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(5), TimeSpan.FromHours(24), now);
        Assert.Equal(TimeSpan.FromMinutes(expectedMinutes), interval);
    }

    [Fact]
    public async Task The_poller_groups_a_hosts_due_feeds_into_messages_of_feeds_per_message()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?> { ["Feeds:FeedsPerMessage"] = "3" });
        for (var i = 0; i < 7; i++)
            await host.AddFeedAsync(_server.Url($"/f{i}.xml"));

        Assert.Equal(7, await host.Poll.HandleAsync(CancellationToken.None));

        var messages = await host.FetchMessagesAsync();
        Assert.Equal([3, 3, 1], messages.Select(m => m.FeedIds.Count()).OrderDescending());
        Assert.Equal(7, messages.SelectMany(m => m.FeedIds).Distinct().Count());
    }

    [Theory]
    [InlineData("windows-1252", "text/xml", "Caf\u00e9 \u201cquoted\u201d \u2013 dash")]
    [InlineData("iso-8859-1", "text/xml", "Caf\u00e9 \u201cquoted\u201d \u2013 dash")] // Latin-1 label, 1252 bytes: read as 1252
    [InlineData(null, "text/xml; charset=windows-1252", "Caf\u00e9 \u201cquoted\u201d \u2013 dash")] // HTTP charset only
    public async Task Single_byte_encodings_from_the_prolog_or_http_charset_are_decoded(string? declared, string contentType, string title)
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var xml = $"""<?xml version="1.0"{(declared is null ? "" : $" encoding=\"{declared}\"")}?><rss version="2.0"><channel><title>T</title><item><title>{title}</title><link>https://f.test/1</link></item></channel></rss>""";
        _server.Respond("/f.xml", new ScriptedResponse(200, Encoding.GetEncoding(1252).GetBytes(xml), contentType));
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));

        await host.FetchAsync(feed);

        Assert.Equal(title, Assert.Single(await host.ArticlesAsync(feed)).Title);
    }

    static PollingPolicyTests() => Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);

    [Fact]
    public async Task Updated_entries_do_not_alert_again_unless_the_title_changed()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var rss = _server.SetFeed("/f.xml");
        rss.AddItem(new RssItem("Council votes on budget", "https://f.test/1", "First version", Guid: "guid-1"));
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));
        await host.FetchAsync(feed);
        await host.ClearMatchQueueAsync();

        // The summary is edited: same story, no new alert.
        SetOnlyItem(rss, new RssItem("Council votes on budget", "https://f.test/1", "Corrected summary", Guid: "guid-1"));
        _server.Touch("/f.xml");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);
        Assert.Empty(await host.MatchMessagesAsync());

        // The headline changes: that is news, alerted once.
        SetOnlyItem(rss, new RssItem("Council rejects budget", "https://f.test/1", "Corrected summary", Guid: "guid-1"));
        _server.Touch("/f.xml");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);
        Assert.Single(await host.MatchMessagesAsync());
        await host.ClearMatchQueueAsync();

        _server.Touch("/f.xml");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);
        Assert.Empty(await host.MatchMessagesAsync());
        Assert.Equal(["Council rejects budget", "Council votes on budget"], (await host.ArticlesAsync(feed)).Select(a => a.Title).Order());
    }

    [Fact]
    public async Task Repeated_guids_in_one_document_fall_back_to_the_link()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var rss = _server.SetFeed("/f.xml");
        for (var i = 0; i < 3; i++)
            rss.AddItem(new RssItem($"Story {i}", $"https://f.test/{i}", "x", Guid: "same-guid"));
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));

        await host.FetchAsync(feed);

        Assert.Equal(3, (await host.ArticlesAsync(feed)).Count);
    }

    [Fact]
    public async Task Changing_guids_duplicate_every_fetch_unless_the_feed_is_set_to_identify_items_by_link()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var rss = _server.SetFeed("/f.xml");
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));
        await host.Feeds.UpdateAsync(feed.Id, f => f with { Identity = ItemIdentity.Link });

        for (var fetch = 0; fetch < 3; fetch++)
        {
            SetOnlyItem(rss, new RssItem("Same story", "https://f.test/story", "x", Guid: Guid.NewGuid().ToString()));
            _server.Touch("/f.xml");
            host.Time.Advance(TimeSpan.FromHours(1));
            await host.FetchAsync(feed);
        }

        Assert.Single(await host.ArticlesAsync(feed));
    }

    [Fact]
    public async Task Failed_feeds_are_retried_with_jitter_not_in_lockstep()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        var feeds = new List<Feed>();
        for (var i = 0; i < 8; i++)
        {
            _server.Respond($"/down{i}.xml", 503, "busy");
            feeds.Add(await host.AddFeedAsync(_server.Url($"/down{i}.xml")));
        }
        await host.Fetch.HandleAsync(new FeedFetchMessage(feeds[0].Id, feeds.Skip(1).Select(f => f.Id).ToList()), CancellationToken.None);

        var next = new HashSet<DateTimeOffset>();
        foreach (var feed in feeds)
            next.Add((await host.GetFeedAsync(feed.Id)).NextCheckAt);
        Assert.True(next.Count >= 6, $"Only {next.Count} distinct retry times for 8 feeds.");
    }

    private static void SetOnlyItem(RssBuilder rss, RssItem item)
    {
        lock (rss)
            rss.Clear().AddItem(item);
    }
}
