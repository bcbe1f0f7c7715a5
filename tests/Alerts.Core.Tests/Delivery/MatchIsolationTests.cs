using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Delivery;

/// <summary>One subscriber's broad query, a busy digest, a late subscriber: each through the real handlers and queues.</summary>
[Collection(StorageCollection.Name)]
public sealed class MatchIsolationTests(AzuriteFixture fixture)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 8, 0, 30, TimeSpan.Zero);

    private static readonly string[] CommonWords =
    [
        "the", "of", "and", "to", "in", "is", "was", "for", "on", "that", "with", "as", "by", "at", "from", "his", "her", "it",
        "an", "were", "are", "which", "this", "be", "or", "has", "had", "not", "but", "they", "said", "its", "their", "have",
        "one", "new", "after", "who", "been", "more", "also", "would", "two", "first", "year", "people", "state", "government",
        "court", "city",
    ];

    [Fact]
    public async Task A_fifty_word_or_query_on_long_articles_stores_bounded_hits_and_every_subscriber_gets_both_articles()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var broad = await host.SubscribeAsync("broad@example.com", string.Join(" OR ", CommonWords), Frequency.Instant);
        var others = new List<Subscription>();
        for (var i = 0; i < 3; i++)
            others.Add(await host.SubscribeAsync($"reader{i}@example.com", "sanctuary", Frequency.Instant));
        // Long articles of common words: tens of thousands of hits for the broad query.
        var body = string.Concat(Enumerable.Repeat("The court of the city said that the state government and the people were on it. ", 1500));
        await host.PublishAsync("long1", "Sanctuary city ruling", content: "Sanctuary policy. " + body);
        await host.PublishAsync("long2", "Sanctuary state vote", content: "Sanctuary law. " + body);

        await host.DrainAsync(TimeSpan.FromSeconds(60));

        Assert.Empty(host.Failures);
        // Both articles came in one poll: one instant email each, carrying both (issue 11, item 4).
        foreach (var s in others.Append(broad))
        {
            var email = Assert.Single(host.Emails(), e => e.To == s.Email);
            Assert.Contains("news.example.com/long1", email.Html, StringComparison.Ordinal);
            Assert.Contains("news.example.com/long2", email.Html, StringComparison.Ordinal);
        }
        var stored = await host.Get<MatchStore>().ListAsync(broad.Id);
        Assert.Equal(2, stored.Count);
        Assert.All(stored, m => Assert.InRange(m.Hits.Count, 1, MatchHits.MaxHits));
        // What the email needs is kept: the title's hits come first.
        Assert.All(stored, m => Assert.Equal(DocumentField.Title, m.Hits[0].Field));
    }

    [Fact]
    public async Task A_busy_hourly_digest_of_two_hundred_matches_carries_them_all_and_leaves_nothing_pending()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var s = await host.SubscribeAsync("busy@example.com", "DACA", Frequency.Hourly);
        for (var hour = 0; hour < 2; hour++)
        {
            for (var i = 0; i < 200; i++)
            {
                await host.PublishAsync($"h{hour}a{i}", $"Item {hour}-{i} about DACA");
                if (i % 40 == 39)
                    await host.DrainAsync(TimeSpan.FromSeconds(60));
            }
            await host.DrainAsync(TimeSpan.FromSeconds(60));
            host.Time.Advance(TimeSpan.FromHours(1));
            await host.Get<DigestScheduler>().HandleAsync();
            await host.DrainAsync(TimeSpan.FromSeconds(60));

            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
            var digest = host.Emails().Where(e => e.To == s.Email).ToList()[hour];
            // The first fifty in full, the other hundred and fifty by title and link: all two hundred are in it.
            for (var i = 0; i < 200; i++)
                Assert.Contains($"Item {hour}-{i} about", digest.Html);
        }
        Assert.Equal(2, host.Emails().Count(e => e.To == s.Email));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task A_redelivered_article_alerts_only_those_subscribed_when_it_was_first_seen()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var early = await host.SubscribeAsync("early@example.com", "DACA", Frequency.Instant);
        var article = await host.PublishAsync("a1", "Story on DACA");
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        host.Time.Advance(TimeSpan.FromHours(2));
        var late = new Subscription(SubscriptionStore.NewId(), "late@example.com", "DACA", Frequency.Instant, SubscriptionStatus.Active,
            CreatedAt: host.Time.GetUtcNow(), ConfirmedAt: host.Time.GetUtcNow(), TimeZone: "UTC");
        await host.Get<SubscriptionStore>().AddAsync(late);
        // The same article-match message again, hours later (a redelivery).
        Assert.Equal(1, await host.Get<ArticleMatchHandler>().HandleAsync(new ArticleMatchMessage(article.Id)));
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        Assert.Single(host.Emails(), e => e.To == early.Email);
        Assert.DoesNotContain(host.Emails(), e => e.To == late.Email);
        Assert.Empty(await host.Get<MatchStore>().ListAsync(late.Id));
    }

    [Fact]
    public async Task A_redelivered_article_stays_out_of_the_digest_of_someone_who_subscribed_after_it_was_first_seen()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var early = await host.SubscribeAsync("early@example.com", "DACA", Frequency.Daily);
        var article = await host.PublishAsync("a1", "Old ruling on DACA");
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        host.Time.Advance(TimeSpan.FromHours(2));
        // A digest for all sites: the kind the in-memory index keeps nothing for but the query.
        var late = new Subscription(SubscriptionStore.NewId(), "late@example.com", "DACA", Frequency.Daily, SubscriptionStatus.Active,
            CreatedAt: host.Time.GetUtcNow(), ConfirmedAt: host.Time.GetUtcNow(), TimeZone: "UTC", DigestHour: 8);
        await host.Get<SubscriptionStore>().AddAsync(late);
        // The same article-match message again, hours later (a redelivery), and a new story the late subscriber should get.
        await host.Get<ArticleMatchHandler>().HandleAsync(new ArticleMatchMessage(article.Id));
        await host.PublishAsync("a2", "Fresh vote on DACA");
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        // The next morning's digests.
        host.Time.Advance(TimeSpan.FromHours(22));
        await host.Get<DigestScheduler>().HandleAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var earlyDigest = Assert.Single(host.Emails(), e => e.To == early.Email);
        Assert.Contains("Old ruling on", earlyDigest.Html);
        Assert.Contains("Fresh vote on", earlyDigest.Html);
        var lateDigest = Assert.Single(host.Emails(), e => e.To == late.Email);
        Assert.Contains("Fresh vote on", lateDigest.Html);
        Assert.DoesNotContain("Old ruling", lateDigest.Html);
        // Nothing of the old article is left for the late subscriber: no match waiting, none in its export.
        Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(late.Id));
        Assert.DoesNotContain(await host.Get<MatchStore>().ListAsync(late.Id), m => m.ArticleId == article.Id);
        Assert.Empty(host.Failures);
    }
}
