using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Delivery;

/// <summary>The same message handled by eight workers at once, fifty times over: the SMTP server counts one email each.</summary>
[Collection(StorageCollection.Name)]
public sealed class ConcurrentDeliveryTests(AzuriteFixture fixture)
{
    private const int Workers = 8;
    private const int Repetitions = 50;
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Eight_handlers_on_the_same_digest_send_message_send_one_email_fifty_times_over()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var handler = host.Get<DigestSendHandler>();
        var outcomes = new List<DigestSendOutcome>();
        for (var i = 0; i < Repetitions; i++)
        {
            var s = await host.SubscribeAsync($"reader{i}@example.com", "DACA", Frequency.Daily);
            var article = await StoreArticleAsync(host, $"story{i}", $"Story {i} on DACA");
            await host.Get<MatchStore>().TryAddAsync(new MatchRecord(s.Id, article.Id, Now, []));

            var message = new DigestSendMessage(s.Id, "daily-2026-11-26");
            outcomes.AddRange((await AllAtOnceAsync(() => handler.HandleAsync(message))).Select(r => r.Outcome));
        }

        var perReader = host.Emails().GroupBy(e => e.To).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(Repetitions, perReader.Count);
        Assert.All(perReader, p => Assert.Equal(1, p.Value));
        Assert.Equal(Repetitions, outcomes.Count(o => o == DigestSendOutcome.Sent));
        Assert.Empty(host.Failures);
    }

    [Fact]
    public async Task Eight_handlers_on_the_same_article_match_message_and_on_each_alert_it_queues_alert_each_subscriber_once_per_article()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Now);
        var readers = new List<Subscription>();
        for (var r = 0; r < 3; r++)
            readers.Add(await host.SubscribeAsync($"instant{r}@example.com", "DACA", Frequency.Instant));
        var match = host.Get<ArticleMatchHandler>();
        var send = host.Get<DigestSendHandler>();
        var queue = host.Storage.Queue(QueueNames.DigestSend);

        for (var i = 0; i < Repetitions; i++)
        {
            var article = await StoreArticleAsync(host, $"story{i}", $"Story {i} on DACA");
            await AllAtOnceAsync(() => match.HandleAsync(new ArticleMatchMessage(article.Id)));

            // Every alert message the eight matchers queued, each handled by eight workers at once.
            while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value is { Length: > 0 } batch)
                foreach (var received in batch)
                {
                    var message = QueueMessages.Deserialize<DigestSendMessage>(received.Body.ToString());
                    await AllAtOnceAsync(() => send.HandleAsync(message));
                    await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
                }
        }

        var emails = host.Emails();
        foreach (var reader in readers)
            for (var i = 0; i < Repetitions; i++)
                Assert.Single(emails, e => e.To == reader.Email && e.Html.Contains($"Story {i} on", StringComparison.Ordinal));
        Assert.Equal(readers.Count * Repetitions, emails.Count);
        foreach (var reader in readers)
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(reader.Id));
    }

    /// <summary>Starts <see cref="Workers"/> calls together (released by one signal) and waits for them all.</summary>
    private static async Task<T[]> AllAtOnceAsync<T>(Func<Task<T>> work)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () => { await go.Task; return await work(); })).ToList();
        go.SetResult();
        return await Task.WhenAll(tasks);
    }

    private static async Task<Alerts.Core.Feeds.Article> StoreArticleAsync(DeliveryHarness host, string itemKey, string title)
    {
        var article = new Alerts.Core.Feeds.Article("feed0001", itemKey, title, "https://news.example.com/" + itemKey, "About DACA.", "",
            Now, Now, "Example News", "news.example.com");
        await host.Get<Alerts.Core.Feeds.ArticleStore>().TryAddAsync(article);
        return article;
    }
}
