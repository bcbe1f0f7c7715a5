using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>A message parked in a poison queue goes back to work with one admin call, once its cause is fixed.</summary>
[Collection(StorageCollection.Name)]
public sealed class QueueAdminTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Redriving_a_poison_queue_moves_its_messages_back_and_the_trigger_processes_them()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        host.Feeds.SetFeed("/p.xml", "Parked");
        host.Feeds.AddItem("/p.xml", "A story", "https://p.test/1", "Text.");
        var added = await host.AddFeedAsync(host.Feeds.Url("/p.xml"));
        Assert.Equal(HttpStatusCode.Created, added.StatusCode);
        await host.WaitForQueuesToDrainAsync();
        // The message as the host parks it after five failures: the producer's text in the poison queue.
        var feedId = Feed.IdFor(host.Feeds.Url("/p.xml"));
        await host.Storage.Queue(QueueNames.Poison(QueueNames.FeedFetch)).SendMessageAsync(QueueMessages.Serialize(new FeedFetchMessage(feedId)));

        var listed = await host.AdminAsync(HttpMethod.Get, "/api/admin/queues");
        using (var queues = JsonDocument.Parse(await listed.Content.ReadAsStringAsync()))
            Assert.Equal(1, queues.RootElement.EnumerateArray().Single(q => q.GetProperty("queue").GetString() == "feed-fetch").GetProperty("poisoned").GetInt32());

        var redrive = await host.AdminAsync(HttpMethod.Post, "/api/admin/queues/feed-fetch/redrive");
        Assert.Equal(HttpStatusCode.OK, redrive.StatusCode);
        Assert.Equal(1, (await redrive.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("moved").GetInt32());
        // The trigger consumed it (the drain waits for feed-fetch to be empty) and it did not fail back into poison.
        await host.WaitForQueuesToDrainAsync();
        Assert.Equal(0, (await host.Storage.Queue(QueueNames.Poison(QueueNames.FeedFetch)).GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task Queue_admin_routes_want_the_admin_key_and_a_known_queue()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.PostAsync("/api/admin/queues/feed-fetch/redrive", null)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.GetAsync("/api/admin/queues")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await host.AdminAsync(HttpMethod.Post, "/api/admin/queues/no-such-queue/redrive")).StatusCode);
    }
}
