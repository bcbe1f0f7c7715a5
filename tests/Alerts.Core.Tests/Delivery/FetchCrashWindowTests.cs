using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Azure.Core;

namespace Alerts.Core.Tests.Delivery;

/// <summary>
/// A fetch that dies at each of its steps (reading which items are known, storing an article, queueing its match,
/// recording the feed) leaves part of its work done; the queue redelivers the feed-fetch message, and afterwards every
/// (subscriber, article) pair is delivered once: nothing lost with the dead run, nothing repeated by the redelivery.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class FetchCrashWindowTests(AzuriteFixture fixture)
{
    // An hour before the daily digests are due.
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);

    public static TheoryData<string> Steps => ["reading the known items", "storing the second article", "queueing the second match", "recording the feed"];

    private static (Func<Request, bool> When, int Skip) Fault(string step) => step switch
    {
        "reading the known items" => (StorageFaults.Is(RequestMethod.Get, "Articles"), 0),
        // The first new article stored and queued, the second's insert fails: the third is never reached.
        "storing the second article" => (StorageFaults.Is(RequestMethod.Post, "Articles"), 1),
        // The second article stored but its match never queued.
        "queueing the second match" => (StorageFaults.Is(RequestMethod.Post, "article-match/messages"), 1),
        // Every article stored and queued; the feed still says it was last fetched before them.
        "recording the feed" => (StorageFaults.Is(RequestMethod.Put, "Feeds("), 0),
        _ => throw new ArgumentOutOfRangeException(nameof(step)),
    };

    [Theory]
    [MemberData(nameof(Steps))]
    public async Task A_fetch_that_dies_at_each_step_and_is_redelivered_delivers_every_new_article_once_to_each_subscriber(string step)
    {
        var faults = new StorageFaults();
        await using var host = await DeliveryHarness.StartAsync(fixture, Start, faults: faults);
        await using var server = await TestFeedServer.StartAsync();
        var instant = new[]
        {
            await host.SubscribeAsync("instant0@example.com", "harbour", Frequency.Instant),
            await host.SubscribeAsync("instant1@example.com", "harbour", Frequency.Instant),
        };
        var daily = await host.SubscribeAsync("daily@example.com", "harbour", Frequency.Daily);
        var rss = server.SetFeed("/news.xml", new RssBuilder("Harbour news", "https://news.example.com/"));
        rss.AddItem("Story A about the harbour", "https://news.example.com/a", "The harbour.", Start.AddHours(-1), "a");
        var feed = Feed.Create(server.Url("/news.xml"), Start, TimeSpan.FromMinutes(15));
        Assert.True(await host.Get<FeedStore>().TryAddAsync(feed));
        var fetch = host.Get<FeedFetchHandler>();
        var message = new FeedFetchMessage(feed.Id);

        // A first fetch that works, so that the feed has a last success the crashed run's articles come after.
        await fetch.HandleAsync(message, CancellationToken.None);
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        host.Time.Advance(TimeSpan.FromMinutes(10));
        foreach (var letter in new[] { "B", "C", "D" })
            rss.AddItem($"Story {letter} about the harbour", $"https://news.example.com/{letter}", "The harbour.", host.Time.GetUtcNow(), letter);

        var (when, skip) = Fault(step);
        faults.FailWhen(when, skip);
        await Assert.ThrowsAnyAsync<Exception>(() => fetch.HandleAsync(message, CancellationToken.None));
        Assert.Equal(1, faults.Injected);
        // Whatever the dead run queued is handled before the redelivery arrives.
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        // The queue redelivers the message a little later, and once more after that (a late duplicate).
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await fetch.HandleAsync(message, CancellationToken.None);
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await fetch.HandleAsync(message, CancellationToken.None);
        await host.DrainAsync(TimeSpan.FromSeconds(30));
        // The morning digest.
        host.Time.Advance(TimeSpan.FromMinutes(50));
        await host.Get<DigestScheduler>().HandleAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var letters = new[] { "A", "B", "C", "D" };
        var articles = new List<Article>();
        await foreach (var article in host.Get<ArticleStore>().ListByFeedAsync(feed.Id))
            articles.Add(article);
        Assert.Equal(letters.Length, articles.Count);
        var emails = host.Emails();
        foreach (var s in instant)
            foreach (var letter in letters)
                Assert.Single(emails, e => e.To == s.Email && e.Html.Contains($"Story {letter} about the", StringComparison.Ordinal));
        var digest = Assert.Single(emails, e => e.To == daily.Email);
        Assert.All(letters, l => Assert.Contains($"Story {l} about the", digest.Html));
        // Stories of one poll share an instant email; a poll cut short by the crash is finished by the redelivery's,
        // so an instant subscriber gets one to four emails, none of them without a story and each story once (above).
        var instantEmails = emails.Where(e => instant.Any(s => s.Email == e.To)).ToList();
        Assert.All(instantEmails, e => Assert.Contains(letters, l => e.Html.Contains($"Story {l} about the", StringComparison.Ordinal)));
        Assert.InRange(instantEmails.Count, instant.Length, instant.Length * letters.Length);
        Assert.Equal(instantEmails.Count + 1, emails.Count);
        foreach (var s in instant.Append(daily))
        {
            var matched = await host.Get<MatchStore>().ListAsync(s.Id);
            Assert.Equal(letters.Length, matched.Count);
            Assert.All(matched, m => Assert.NotNull(m.DeliveredIn));
        }
        Assert.Empty(host.Failures);
        var recorded = await host.Get<FeedStore>().GetAsync(feed.Id);
        Assert.Null(recorded!.LastError);
    }
}
