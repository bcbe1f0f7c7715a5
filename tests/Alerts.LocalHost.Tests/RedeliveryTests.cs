using System.Net;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>Queues deliver at least once: every message processed twice must have the effect of once.</summary>
[Collection(StorageCollection.Name)]
public sealed class RedeliveryTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task The_same_fetch_match_and_send_messages_twice_give_no_duplicate_article_match_or_email()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        // Subscribing needs the confirm POST only; no listeners are running, so every step below is driven by hand.
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);

        host.Feeds.SetFeed("/f.xml", "Feed");
        host.Feeds.AddItem("/f.xml", "DACA renewals reopen", "https://f.test/1", "Applications for DACA reopen.");
        host.Feeds.AddItem("/f.xml", "Weather", "https://f.test/2", "Sunny.");
        Assert.Equal(HttpStatusCode.Created, (await host.AddFeedAsync(host.Feeds.Url("/f.xml"))).StatusCode);
        var feedQueue = host.Storage.Queue(QueueNames.FeedFetch);
        var fetchMessage = QueueMessages.Deserialize<FeedFetchMessage>((await feedQueue.ReceiveMessageAsync()).Value.Body.ToString());

        // feed-fetch twice: two articles stored, two match messages queued, not four.
        await host.Service<FeedFetchHandler>().HandleAsync(fetchMessage, CancellationToken.None);
        await host.Service<FeedFetchHandler>().HandleAsync(fetchMessage, CancellationToken.None);
        var articles = new List<Article>();
        await foreach (var a in host.Service<ArticleStore>().ListByFeedAsync(fetchMessage.FeedId))
            articles.Add(a);
        Assert.Equal(2, articles.Count);
        var matchQueue = host.Storage.Queue(QueueNames.ArticleMatch);
        var matchMessages = (await matchQueue.ReceiveMessagesAsync(32)).Value;
        Assert.Equal(2, matchMessages.Length);

        // article-match twice for each: one match row.
        foreach (var message in matchMessages.Concat(matchMessages))
            await host.Service<ArticleMatchHandler>().HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(message.Body.ToString()));
        var matches = await host.Service<MatchStore>().ListAsync(subscription.Id);
        Assert.Equal(articles.Single(a => a.Title.Contains("DACA")).Id, Assert.Single(matches).ArticleId);

        // digest-send twice: one email.
        var send = new DigestSendMessage(subscription.Id, "daily-2026-11-26");
        await host.Service<DigestSendHandler>().HandleAsync(send);
        await host.Service<DigestSendHandler>().HandleAsync(send);
        var email = Assert.Single(host.Smtp.Messages);
        Assert.Contains("https://f.test/1", email.HtmlBody);
    }
}
