using System.Globalization;
using System.Security;
using System.Text;
using Alerts.Core.Feeds;
using Microsoft.Extensions.Options;

namespace Alerts.LocalHost;

/// <summary>
/// Sample RSS feeds served by the local host itself, so the whole flow runs without internet. Each feed starts
/// with two stories; every minute one of them (in turn) publishes the next. Responses carry ETag and Last-Modified
/// and answer conditional requests with 304, like a well-behaved news site.
/// Every run is a new edition: story ids, links and ETags carry the run's start time, so after a restart with saved
/// data the stories are new to the poller (and alert again) instead of repeating ids it already stored.
/// </summary>
public sealed class DemoFeeds(TimeProvider time)
{
    private sealed record Story(string Title, string Summary);

    private sealed record DemoFeed(string Slug, string Title, Story[] Stories);

    private static readonly DemoFeed[] Feeds =
    [
        new("capitol-ledger", "Capitol Ledger",
        [
            new("Senate panel schedules hearing on DACA renewals", "Lawmakers will hear from recipients whose DACA status expires next spring, and from employers who depend on them."),
            new("Budget talks stall over border technology funding", "Negotiators disagree on how much to spend on scanners at ports of entry."),
            new("Court hears arguments on sanctuary city grants", "A federal appeals court weighs whether grants can be withheld from a sanctuary city such as Chicago."),
            new("Immigration judges face record backlog", "The number of pending immigration cases passed four million, court data show."),
            new("DACA recipients rally outside the Capitol", "Hundreds gathered to ask Congress for a permanent path to citizenship."),
            new("Farm groups press for seasonal worker visas", "Growers say harvest labour shortages are the worst in a decade."),
        ]),
        new("lakeshore-daily", "Lakeshore Daily",
        [
            new("Chicago council debates sanctuary city ordinance", "Aldermen argued for four hours over changes to the city's sanctuary city rules."),
            new("Transit agency unveils new lakefront bus routes", "Riders will get faster service to the museums from January."),
            new("Chicago schools add English classes for newcomers", "Districts report a rise in immigrant enrolment this autumn."),
            new("Winter storm warning for the lakefront", "Forecasters expect up to a foot of snow by Sunday."),
            new("Local clinic offers free DACA renewal help", "Volunteer lawyers will review applications every Saturday in December."),
            new("Chicago library extends weekend hours", "Branches will open on Sundays through the holidays."),
        ]),
        new("field-and-court", "Field & Court",
        [
            new("Rookie guard leads comeback win", "The visitors erased a 19-point deficit in the fourth quarter."),
            new("Immigration paperwork delays star striker's debut", "The club expects the visa to arrive before the derby."),
            new("Marathon returns to the lakefront course", "Organisers expect 40,000 runners in October."),
            new("Goalkeeper signs three-year extension", "The veteran keeps his place through the 2029 season."),
            new("Tennis open adds night sessions", "Matches will now start as late as 9 pm."),
            new("Cycling team names new coach", "The former champion takes over after a winless season."),
        ]),
    ];

    private readonly DateTimeOffset _started = time.GetUtcNow();

    private string Run => _started.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture);

    public IEnumerable<string> Paths => Feeds.Select(f => $"/demo/feeds/{f.Slug}.xml");

    /// <summary>Serves <c>/demo/feeds/{slug}.xml</c>.</summary>
    public IResult Serve(HttpContext context, string slug)
    {
        var feed = Feeds.FirstOrDefault(f => f.Slug == slug.Replace(".xml", "", StringComparison.Ordinal));
        if (feed is null)
            return Results.NotFound();

        var (count, lastPublished) = Published(Array.IndexOf(Feeds, feed));
        var etag = $"\"{feed.Slug}-{Run}-{count}\"";
        var lastModified = lastPublished.ToString("R", CultureInfo.InvariantCulture);
        context.Response.Headers.ETag = etag;
        context.Response.Headers.LastModified = lastModified;
        if (context.Request.Headers.IfNoneMatch.ToString() == etag)
            return Results.StatusCode(StatusCodes.Status304NotModified);

        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}";
        var rss = new StringBuilder();
        rss.Append($"""
            <?xml version="1.0" encoding="utf-8"?>
            <rss version="2.0"><channel>
            <title>{SecurityElement.Escape(feed.Title)}</title>
            <link>{baseUrl}/demo/{feed.Slug}</link>
            <description>Sample stories for the Alerts demo</description>
            """);
        for (var i = count - 1; i >= 0; i--)
        {
            var story = feed.Stories[i % feed.Stories.Length];
            var edition = i / feed.Stories.Length;
            var title = edition == 0 ? story.Title : $"{story.Title} (update {edition})";
            rss.Append($"""
                <item>
                  <title>{SecurityElement.Escape(title)}</title>
                  <link>{baseUrl}/demo/{feed.Slug}/{Run}-{i + 1}</link>
                  <guid isPermaLink="false">{feed.Slug}-{Run}-{i + 1}</guid>
                  <pubDate>{PublishedAt(Array.IndexOf(Feeds, feed), i).ToString("R", CultureInfo.InvariantCulture)}</pubDate>
                  <description>{SecurityElement.Escape(story.Summary)}</description>
                </item>
                """);
        }
        rss.Append("</channel></rss>");
        return Results.Text(rss.ToString(), "application/rss+xml; charset=utf-8");
    }

    /// <summary>How many items feed <paramref name="index"/> has now: two at start, then one more every third minute.</summary>
    private (int Count, DateTimeOffset LastPublished) Published(int index)
    {
        var minutes = (int)((time.GetUtcNow() - _started).TotalMinutes);
        // Minute m publishes on feed (m - 1) % 3, so across the three feeds there is one new story a minute.
        var extra = minutes >= index + 1 ? (minutes - (index + 1)) / Feeds.Length + 1 : 0;
        var count = 2 + extra;
        return (count, PublishedAt(index, count - 1));
    }

    /// <summary>
    /// Every story of a feed is three minutes after the one before, the two starting ones included, so the adaptive
    /// poll interval learns the demo's real rhythm from the first fetch.
    /// </summary>
    private DateTimeOffset PublishedAt(int feedIndex, int itemIndex) =>
        _started.AddMinutes(feedIndex + 1 + (itemIndex - 2) * Feeds.Length);

    /// <summary>Registers the demo feeds (once; later starts find them already there).</summary>
    public async Task RegisterAsync(FeedStore store, string baseUrl, IOptions<FeedFetchOptions> options, CancellationToken cancellationToken)
    {
        foreach (var (feed, path) in Feeds.Zip(Paths))
            await store.TryAddAsync(Feed.Create(baseUrl + path, time.GetUtcNow(), options.Value.DefaultPollInterval, feed.Title, "demo"), cancellationToken);
    }
}
