using System.Diagnostics;
using System.Text.Json;
using Alerts.Benchmarks;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Health;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Azure.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Core.Tests.Delivery;

/// <summary>
/// Azurite persisted to a folder, stopped (SIGINT, so it saves what it acknowledged) and started again on the same
/// ports in the middle of a poll and in the middle of a digest run, at a storage call the test holds until storage is
/// gone: afterwards every (subscriber, article) pair is delivered once, and while storage is down /healthz answers
/// 503 naming it within 2 s.
/// </summary>
[Collection(StorageCollection.Name)] // one at a time with the other storage tests: restarts are slow on a busy machine
public sealed class StorageRestartTests : IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 7, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan HealthBound = TimeSpan.FromSeconds(2);

    private DirectoryInfo _location = null!;
    private RestartableAzurite _azurite = null!;

    public async Task InitializeAsync()
    {
        _location = Directory.CreateTempSubdirectory("alerts-restart-azurite-");
        _azurite = await RestartableAzurite.StartAsync(_location.FullName);
    }

    public async Task DisposeAsync()
    {
        await _azurite.DisposeAsync();
        _location.Delete(recursive: true);
    }

    [Fact]
    public async Task Storage_restarting_in_the_middle_of_a_poll_loses_and_repeats_nothing_and_healthz_answers_503_quickly_while_it_is_down()
    {
        var faults = new StorageFaults();
        await using var host = await DeliveryHarness.StartOnAsync(_azurite.ConnectionString, Start, faults);
        Assert.Equal(StatusCodes.Status200OK, (await HealthAsync(host)).Status);
        await using var server = await TestFeedServer.StartAsync();
        var instant = new[]
        {
            await host.SubscribeAsync("instant0@example.com", "harbour", Frequency.Instant),
            await host.SubscribeAsync("instant1@example.com", "harbour", Frequency.Instant),
        };
        var daily = await host.SubscribeAsync("daily@example.com", "harbour", Frequency.Daily);
        var titles = new List<string>();
        for (var f = 0; f < 3; f++)
        {
            var rss = server.SetFeed($"/feed{f}.xml", new RssBuilder($"Feed {f}", "https://news.example.com/"));
            for (var i = 0; i < 2; i++)
            {
                titles.Add($"Story {f}-{i} about the");
                rss.AddItem(titles[^1] + " harbour", $"https://news.example.com/{f}/{i}", "The harbour.", Start.AddMinutes(-5), $"{f}-{i}");
            }
            Assert.True(await host.Get<FeedStore>().TryAddAsync(Feed.Create(server.Url($"/feed{f}.xml"), Start, TimeSpan.FromMinutes(15))));
        }

        // The poll timer queues the fetches; storage goes away while they run, just as the first match is queued.
        await host.Get<FeedPollHandler>().HandleAsync(CancellationToken.None);
        var held = faults.HoldNext(StorageFaults.Is(RequestMethod.Post, "article-match/messages"));
        var fetchQueue = host.Storage.Queue(QueueNames.FeedFetch);
        var batch = (await fetchQueue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(5))).Value;
        Assert.NotEmpty(batch);
        var running = batch.Select(m => Task.Run(() => HandleFetchAsync(host, fetchQueue, m.MessageId, m.PopReceipt, m.Body.ToString()))).ToList();
        await held.WaitAsync(TimeSpan.FromSeconds(60));

        await _azurite.StopAsync();
        await AssertStorageDownWithinBoundAsync(host);
        faults.Release();
        var outcomes = await Task.WhenAll(running);
        Assert.Contains(false, outcomes); // the fetch that held the match message failed against the storage that was gone
        await _azurite.StartAgainAsync();

        // The trigger's redelivery: what failed is visible again after its 5 s and handled once more.
        await DrainFetchesAsync(host, fetchQueue, TimeSpan.FromSeconds(90));
        await FinishAsync(host);

        var emails = host.Emails();
        foreach (var s in instant)
            foreach (var title in titles)
                Assert.Single(emails, e => e.To == s.Email && e.Html.Contains(title, StringComparison.Ordinal));
        var digest = Assert.Single(emails, e => e.To == daily.Email);
        Assert.All(titles, t => Assert.Contains(t, digest.Html));
        // Stories of one poll share an instant email (each story once, above); no email without a story, none to anyone else.
        var instantEmails = emails.Where(e => instant.Any(s => s.Email == e.To)).ToList();
        Assert.All(instantEmails, e => Assert.Contains(titles, t => e.Html.Contains(t, StringComparison.Ordinal)));
        Assert.InRange(instantEmails.Count, instant.Length, instant.Length * titles.Count);
        Assert.Equal(instantEmails.Count + 1, emails.Count);
        await AssertNothingPendingOrPoisonedAsync(host, instant.Append(daily));
    }

    [Fact]
    public async Task Storage_restarting_in_the_middle_of_a_digest_run_loses_and_repeats_nothing_and_healthz_answers_503_quickly_while_it_is_down()
    {
        var faults = new StorageFaults();
        await using var host = await DeliveryHarness.StartOnAsync(_azurite.ConnectionString, Start, faults);
        Assert.Equal(StatusCodes.Status200OK, (await HealthAsync(host)).Status);
        var readers = new List<Subscription>();
        for (var i = 0; i < 8; i++)
            readers.Add(await host.SubscribeAsync($"daily{i}@example.com", "harbour", Frequency.Daily));
        var titles = new List<string>();
        for (var a = 0; a < 3; a++)
        {
            titles.Add($"Story {a} about the");
            await host.PublishAsync($"story{a}", titles[^1] + " harbour", "The harbour.");
        }
        await host.DrainAsync(TimeSpan.FromSeconds(60));
        host.Time.Advance(TimeSpan.FromMinutes(60.5)); // 08:00:30, the daily digests are due
        Assert.Equal(readers.Count, await host.Get<DigestScheduler>().HandleAsync());

        // Storage goes away at the first write to the Digests table after the relay accepted the first digest: most
        // likely that digest's Sent record, the one write between acceptance and knowing it was sent.
        var held = faults.HoldNext(r => host.Smtp.Messages.Count > 0 && r.Method != RequestMethod.Get
            && r.Uri.Path.Contains(TableNames.Digests + "(", StringComparison.Ordinal));
        var draining = Task.Run(() => host.DrainAsync(TimeSpan.FromSeconds(120)));
        await held.WaitAsync(TimeSpan.FromSeconds(60));

        await _azurite.StopAsync();
        await AssertStorageDownWithinBoundAsync(host);
        faults.Release();
        await Task.Delay(TimeSpan.FromSeconds(1)); // the held write meets the storage that is gone
        await _azurite.StartAgainAsync();
        try
        {
            await draining;
        }
        catch (Exception ex) when (ex is Azure.RequestFailedException or AggregateException or HttpRequestException)
        {
            // The pump itself could not receive while storage was down; the next drain picks up.
        }
        await FinishAsync(host);

        var emails = host.Emails();
        Assert.True(emails.Count >= 1);
        foreach (var s in readers)
        {
            var digest = Assert.Single(emails, e => e.To == s.Email);
            Assert.All(titles, t => Assert.Contains(t, digest.Html));
        }
        Assert.Equal(readers.Count, emails.Count);
        await AssertNothingPendingOrPoisonedAsync(host, readers);
    }

    /// <summary>Receive, handle, delete on success; on failure the message stays and reappears after its visibility timeout.</summary>
    private static async Task<bool> HandleFetchAsync(DeliveryHarness host, Azure.Storage.Queues.QueueClient queue, string id, string receipt, string body)
    {
        try
        {
            await host.Get<FeedFetchHandler>().HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(body), CancellationToken.None);
            await queue.DeleteMessageAsync(id, receipt);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            lock (host.Failures)
                host.Failures.Add(ex);
            return false;
        }
    }

    private static async Task DrainFetchesAsync(DeliveryHarness host, Azure.Storage.Queues.QueueClient queue, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while ((await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount > 0)
        {
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException("The feed-fetch queue did not drain.");
            foreach (var m in (await queue.ReceiveMessagesAsync(32, TimeSpan.FromSeconds(5))).Value)
                await HandleFetchAsync(host, queue, m.MessageId, m.PopReceipt, m.Body.ToString());
            await host.DrainAsync(TimeSpan.FromSeconds(60));
            await Task.Delay(200);
        }
    }

    /// <summary>
    /// Drains, then the morning's digests, then what the product does about anything a lost storage answer left behind:
    /// a claim taken whose answer never came is free again after its lease, and the sweep queues it.
    /// </summary>
    private static async Task FinishAsync(DeliveryHarness host)
    {
        await host.DrainAsync(TimeSpan.FromSeconds(90));
        if (host.Time.GetUtcNow() < Start.AddHours(1))
        {
            host.Time.Advance(Start.AddMinutes(60.5) - host.Time.GetUtcNow());
            await host.Get<DigestScheduler>().HandleAsync();
            await host.DrainAsync(TimeSpan.FromSeconds(60));
        }
        host.Time.Advance(TimeSpan.FromMinutes(45));
        await host.Get<DeliverySweep>().HandleAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(60));
    }

    /// <summary>
    /// Storage is down: 503 naming storage (and not SMTP), within the bound. Each test asks once while storage is up
    /// too, so the first call's JIT compilation on a busy test machine is not counted as the outage's.
    /// </summary>
    private static async Task AssertStorageDownWithinBoundAsync(DeliveryHarness host)
    {
        var (status, failing, took) = await HealthAsync(host);

        Assert.Equal(StatusCodes.Status503ServiceUnavailable, status);
        Assert.Contains(failing, f => f.StartsWith("storage:", StringComparison.Ordinal));
        Assert.DoesNotContain(failing, f => f.StartsWith("smtp:", StringComparison.Ordinal));
        Assert.True(took < HealthBound, $"/healthz took {took.TotalMilliseconds:0} ms with storage down");
    }

    private static async Task<(int Status, List<string> Failing, TimeSpan Took)> HealthAsync(DeliveryHarness host)
    {
        var context = new DefaultHttpContext { RequestServices = new ServiceCollection().AddLogging().BuildServiceProvider() };
        context.Response.Body = new MemoryStream();
        var watch = Stopwatch.StartNew();
        var result = await host.Get<HealthEndpoint>().GetAsync(context.Request);
        await result.ExecuteAsync(context);
        var took = watch.Elapsed;
        context.Response.Body.Position = 0;
        var failing = JsonDocument.Parse(context.Response.Body).RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()!).ToList();
        return (context.Response.StatusCode, failing, took);
    }

    private static async Task AssertNothingPendingOrPoisonedAsync(DeliveryHarness host, IEnumerable<Subscription> subscriptions)
    {
        foreach (var s in subscriptions)
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        foreach (var queue in QueueNames.All)
            Assert.Equal(0, (await host.Storage.Queue(QueueNames.Poison(queue)).GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}
