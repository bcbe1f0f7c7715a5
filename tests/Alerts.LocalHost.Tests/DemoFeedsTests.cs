using System.Xml.Linq;
using Alerts.LocalHost;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.LocalHost.Tests;

/// <summary>The demo feeds keep publishing new stories across restarts of the local host with saved data.</summary>
public sealed class DemoFeedsTests
{
    [Fact]
    public async Task A_restarted_demo_publishes_stories_whose_ids_links_and_etag_are_new_to_the_poller()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var firstRun = new DemoFeeds(clock);
        clock.Advance(TimeSpan.FromMinutes(20));
        var (firstItems, firstEtag) = await FetchAsync(firstRun, ifNoneMatch: null);

        var secondRun = new DemoFeeds(clock); // the host restarted: a new instance, the same stored feeds
        var (secondItems, secondEtag) = await FetchAsync(secondRun, ifNoneMatch: firstEtag);

        Assert.NotEqual(firstEtag, secondEtag);
        Assert.NotEmpty(secondItems);
        Assert.Empty(secondItems.Select(i => i.Guid).Intersect(firstItems.Select(i => i.Guid)));
        Assert.Empty(secondItems.Select(i => i.Link).Intersect(firstItems.Select(i => i.Link)));
    }

    [Fact]
    public async Task Within_one_run_a_story_keeps_its_id_and_an_unchanged_feed_answers_304()
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 1, 9, 0, 0, TimeSpan.Zero));
        var demo = new DemoFeeds(clock);
        var (before, etag) = await FetchAsync(demo, ifNoneMatch: null);

        var context = Request(etag);
        var result = demo.Serve(context, "capitol-ledger.xml");
        await result.ExecuteAsync(context);
        Assert.Equal(StatusCodes.Status304NotModified, context.Response.StatusCode);

        clock.Advance(TimeSpan.FromMinutes(3)); // this feed publishes at minute 1, then every third minute
        var (after, _) = await FetchAsync(demo, ifNoneMatch: null);
        Assert.Equal(before.Count + 1, after.Count);
        Assert.Subset(after.Select(i => i.Guid).ToHashSet(), before.Select(i => i.Guid).ToHashSet());
    }

    private static async Task<(List<(string Guid, string Link)> Items, string Etag)> FetchAsync(DemoFeeds demo, string? ifNoneMatch)
    {
        var context = Request(ifNoneMatch);
        var body = new MemoryStream();
        context.Response.Body = body;
        await demo.Serve(context, "capitol-ledger.xml").ExecuteAsync(context);
        Assert.Equal(StatusCodes.Status200OK, context.Response.StatusCode);
        var rss = XDocument.Parse(System.Text.Encoding.UTF8.GetString(body.ToArray()));
        var items = rss.Descendants("item").Select(i => ((string)i.Element("guid")!, (string)i.Element("link")!)).ToList();
        return (items, context.Response.Headers.ETag.ToString());
    }

    private static DefaultHttpContext Request(string? ifNoneMatch)
    {
        var context = new DefaultHttpContext
        {
            RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider(),
        };
        context.Request.Scheme = "http";
        context.Request.Host = new HostString("127.0.0.1", 7071);
        if (ifNoneMatch is not null)
            context.Request.Headers.IfNoneMatch = ifNoneMatch;
        return context;
    }
}
