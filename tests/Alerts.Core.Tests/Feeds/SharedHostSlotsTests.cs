using System.Diagnostics;
using System.Globalization;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// Per-host politeness across instances: several workers' throttles on one storage account keep one host's concurrency
/// and gap together, and a feed that cannot get a slot waits in the queue instead of failing.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class SharedHostSlotsTests(AzuriteFixture azurite) : IDisposable
{
    private readonly CoreInstances _instances = new();

    public void Dispose() => _instances.Dispose();

    /// <summary>A throttle that paces only its own process (no shared slots): what the hosts do not register.</summary>
    private static HostThrottle ProcessOnlyThrottle(FeedFetchOptions options) => new(Options.Create(options));

    /// <summary>One instance's throttle as the hosts register it: its own services and storage clients on the shared account.</summary>
    private HostThrottle SharedThrottle(string connectionString, FeedFetchOptions options) =>
        _instances.Start(AlertsStorage.FromConnectionString(connectionString), TimeProvider.System, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = options.MaxConcurrentPerHost.ToString(CultureInfo.InvariantCulture),
            ["Feeds:MinHostGap"] = options.MinHostGap.ToString("c", CultureInfo.InvariantCulture),
            ["Feeds:Timeout"] = options.Timeout.ToString("c", CultureInfo.InvariantCulture),
        }).GetRequiredService<HostThrottle>();

    /// <summary>Three throttles hammer one host; returns each hold's start and end on one stopwatch.</summary>
    private static async Task<List<(TimeSpan Start, TimeSpan End)>> HammerAsync(IReadOnlyList<HostThrottle> throttles, int perInstance)
    {
        var clock = Stopwatch.StartNew();
        var holds = new List<(TimeSpan, TimeSpan)>();
        await Task.WhenAll(throttles.SelectMany(t => Enumerable.Range(0, perInstance).Select(async _ =>
        {
            await using (await t.AcquireAsync("news.example.com", CancellationToken.None))
            {
                var start = clock.Elapsed;
                await Task.Delay(150);
                var end = clock.Elapsed;
                lock (holds) holds.Add((start, end));
            }
        })));
        return holds;
    }

    private static int MaxOverlap(IEnumerable<(TimeSpan Start, TimeSpan End)> holds) =>
        holds.SelectMany(h => new[] { (At: h.Start, Delta: 1), (At: h.End, Delta: -1) })
            .OrderBy(e => e.At).ThenBy(e => e.Delta)
            .Aggregate((Current: 0, Max: 0), (acc, e) => (acc.Current + e.Delta, Math.Max(acc.Max, acc.Current + e.Delta))).Max;

    [Fact]
    public async Task Three_instances_keep_one_hosts_concurrency_and_gap_together_where_per_process_throttles_do_not()
    {
        var options = new FeedFetchOptions { MaxConcurrentPerHost = 2, MinHostGap = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(20) };

        // Without the shared slots each process paces only itself: three of them put six requests on the host at once.
        var alone = await HammerAsync([ProcessOnlyThrottle(options), ProcessOnlyThrottle(options), ProcessOnlyThrottle(options)], 4);
        Assert.True(MaxOverlap(alone) > 2, $"per-process throttles overlapped only {MaxOverlap(alone)}");

        await azurite.ResetAsync();
        var shared = await HammerAsync([SharedThrottle(azurite.ConnectionString, options), SharedThrottle(azurite.ConnectionString, options), SharedThrottle(azurite.ConnectionString, options)], 4);
        Assert.Equal(12, shared.Count);
        Assert.True(MaxOverlap(shared) <= 2, $"{MaxOverlap(shared)} requests in flight at once");
        var starts = shared.Select(h => h.Start).Order().ToList();
        // Starts are booked 300 ms apart; one that was booked for "now" begins only when its write returns, so what
        // this stopwatch sees may be shorter by that storage round trip, hence the margin.
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Min() >= TimeSpan.FromMilliseconds(150), $"starts only {gaps.Min().TotalMilliseconds:0} ms apart");
    }

    [Fact]
    public async Task A_feed_whose_hosts_slots_are_held_by_another_instance_waits_in_the_queue_and_is_not_recorded_as_failed()
    {
        await using var server = await TestFeedServer.StartAsync();
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "1",
            ["Feeds:Timeout"] = "00:00:01",
        });
        server.SetFeed("/news.xml").AddItem("Court rules", "https://news.test/1", "A ruling.");
        var feed = await host.AddFeedAsync(server.Url("/news.xml"));

        // Another instance holds the host's only slot for longer than a fetch may wait.
        var held = await host.OtherInstance<HostThrottle>().AcquireAsync(new Uri(feed.Url).IdnHost, CancellationToken.None);
        await host.FetchAsync(feed);

        Assert.Equal(0, server.RequestCount("/news.xml"));
        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Equal(0, saved.ConsecutiveFailures);
        Assert.Null(saved.LastErrorKind);
        Assert.Null(saved.LastCheckedAt);
        var queue = host.Service<AlertsStorage>().Queue(QueueNames.FeedFetch);
        Assert.Equal(1, (await queue.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        Assert.Empty((await queue.PeekMessagesAsync()).Value); // hidden for a while, not retried at once

        // Once the other instance gives the slot back, the queued fetch gets it.
        await held.DisposeAsync();
        Azure.Storage.Queues.Models.QueueMessage? message = null;
        for (var deadline = DateTime.UtcNow.AddSeconds(10); message is null && DateTime.UtcNow < deadline; await Task.Delay(200))
            message = (await queue.ReceiveMessagesAsync(1)).Value.FirstOrDefault();
        Assert.NotNull(message);
        await host.Fetch.HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(message!.Body.ToString()), CancellationToken.None);
        Assert.Equal(1, server.RequestCount("/news.xml"));
        Assert.Single(await host.ArticlesAsync(feed));
    }
}
