using System.Diagnostics;
using System.Globalization;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Feeds;

/// <summary>
/// Per-host politeness measured in real time: one worker keeps a host's concurrency and gap, and several workers'
/// throttles on one storage account keep them together. Timed, so these run alone (<see cref="TimingCollection"/>).
/// </summary>
[Collection(TimingCollection.Name)]
public sealed class HostPacingTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private readonly CoreInstances _instances = new();
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync()
    {
        _instances.Dispose();
        await _server.DisposeAsync();
    }

    [Fact]
    public async Task At_most_k_requests_per_host_are_in_flight_and_starts_keep_the_minimum_gap()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = "2",
            ["Feeds:MinHostGap"] = "00:00:00.100",
        });
        var feeds = new List<Feed>();
        for (var i = 0; i < 6; i++)
        {
            _server.SetFeed($"/slow{i}.xml").AddItem($"Item {i}", $"https://f.test/{i}", "x");
            _server.SetDelay($"/slow{i}.xml", TimeSpan.FromMilliseconds(400));
            feeds.Add(await host.AddFeedAsync(_server.Url($"/slow{i}.xml")));
        }

        // A running worker, as in production: it has fetched from this host before (a first request in a process pays
        // for compiling the HTTP stack, and arrived late enough to look close to the next one).
        _server.SetFeed("/warm-up.xml").AddItem("Earlier", "https://f.test/earlier", "x");
        await host.FetchAsync(await host.AddFeedAsync(_server.Url("/warm-up.xml")));
        var paused = AfterFullCollection();

        // One message with all six, as the poller groups a host's feeds.
        await host.Fetch.HandleAsync(new FeedFetchMessage(feeds[0].Id, feeds.Skip(1).Select(f => f.Id).ToList()), CancellationToken.None);

        paused = GC.GetTotalPauseDuration() - paused;

        Assert.Equal(2, _server.MaxConcurrency);
        var starts = _server.AllRequests.Where(r => r.Path.StartsWith("/slow", StringComparison.Ordinal)).Select(r => r.ArrivedAt).Order().ToList();
        Assert.Equal(6, starts.Count);
        for (var i = 1; i < starts.Count; i++)
            Assert.True(starts[i] - starts[i - 1] >= TimeSpan.FromMilliseconds(90),
                $"Requests {i - 1} and {i} started {(starts[i] - starts[i - 1]).TotalMilliseconds} ms apart (GC paused this process {paused.TotalMilliseconds:0} ms meanwhile).");
        foreach (var feed in feeds)
            Assert.Single(await host.ArticlesAsync(feed));
    }

    /// <summary>
    /// A full collection before a measurement, so that the heap earlier tests left behind is not collected in the middle
    /// of it; returns the process's GC pause time so far, for the failure message.
    /// </summary>
    private static TimeSpan AfterFullCollection()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        return GC.GetTotalPauseDuration();
    }

    /// <summary>A throttle that paces only its own process (no shared slots): what the hosts do not register.</summary>
    private static HostThrottle ProcessOnlyThrottle(FeedFetchOptions options) => new(Options.Create(options));

    /// <summary>One instance's throttle as the hosts register it: its own services and storage clients on the shared account.</summary>
    private HostThrottle SharedThrottle(AlertsStorage storage, FeedFetchOptions options) =>
        _instances.Start(storage, TimeProvider.System, new Dictionary<string, string?>
        {
            ["Feeds:MaxConcurrentPerHost"] = options.MaxConcurrentPerHost.ToString(CultureInfo.InvariantCulture),
            ["Feeds:MinHostGap"] = options.MinHostGap.ToString("c", CultureInfo.InvariantCulture),
            ["Feeds:Timeout"] = options.Timeout.ToString("c", CultureInfo.InvariantCulture),
        }).GetRequiredService<HostThrottle>();

    /// <summary>Three throttles hammer one host; returns each hold's start and end on one stopwatch.</summary>
    private static async Task<List<(TimeSpan Start, TimeSpan End)>> HammerAsync(
        IReadOnlyList<HostThrottle> throttles, int perInstance, List<(int Instance, TimeSpan Start, DateTimeOffset Wall)>? log = null)
    {
        var clock = Stopwatch.StartNew();
        var holds = new List<(TimeSpan, TimeSpan)>();
        await Task.WhenAll(throttles.SelectMany((t, instance) => Enumerable.Range(0, perInstance).Select(async _ =>
        {
            await using (await t.AcquireAsync("news.example.com", CancellationToken.None))
            {
                var start = clock.Elapsed;
                if (log is not null)
                    lock (log) log.Add((instance, start, DateTimeOffset.UtcNow));
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
        HostThrottle[] instances = [.. Enumerable.Range(0, 3).Select(_ => SharedThrottle(AlertsStorage.FromConnectionString(azurite.ConnectionString), options))];
        // Running instances, as in production: each has taken and given back one slot of another host, so it has
        // measured how long its slot writes take (the lead it books an idle host's start with), and the storage account
        // has served its first writes (on a freshly started Azurite they once took long enough to make a start late).
        foreach (var instance in instances)
            await (await instance.AcquireAsync("warm-up.example.com", CancellationToken.None)).DisposeAsync();
        var paused = AfterFullCollection();
        var log = new List<(int Instance, TimeSpan Start, DateTimeOffset Wall)>();
        var shared = await HammerAsync(instances, 4, log);
        paused = GC.GetTotalPauseDuration() - paused;
        Assert.Equal(12, shared.Count);
        Assert.True(MaxOverlap(shared) <= 2, $"{MaxOverlap(shared)} requests in flight at once");
        var starts = shared.Select(h => h.Start).Order().ToList();
        // Starts are booked 300 ms apart; one that was booked for "now" begins only when its write returns, so what
        // this stopwatch sees may be shorter by that storage round trip, hence the margin.
        var gaps = starts.Zip(starts.Skip(1), (a, b) => b - a).ToList();
        Assert.True(gaps.Min() >= TimeSpan.FromMilliseconds(150),
            $"starts only {gaps.Min().TotalMilliseconds:0} ms apart (GC paused this process {paused.TotalMilliseconds:0} ms meanwhile); " +
            "instance@stopwatch ms/wall ms: " + string.Join(", ", log.OrderBy(l => l.Start)
                .Select(l => $"{l.Instance}@{l.Start.TotalMilliseconds:0}/{(l.Wall - log.Min(x => x.Wall)).TotalMilliseconds:0}")));
    }

    [Fact]
    public async Task An_instance_whose_slot_write_returns_after_its_booked_start_books_again_instead_of_starting_within_the_gap()
    {
        var options = new FeedFetchOptions { MaxConcurrentPerHost = 2, MinHostGap = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(20) };
        await azurite.ResetAsync();
        var slow = new SlowSlotWrites();
        var a = SharedThrottle(StorageWith(slow), options);
        var b = SharedThrottle(AlertsStorage.FromConnectionString(azurite.ConnectionString), options);
        foreach (var instance in new[] { a, b })
            await (await instance.AcquireAsync("warm-up.example.com", CancellationToken.None)).DisposeAsync();

        // A's next slot write lands at once but its reply takes longer than the gap, as a storage latency spike does: B
        // reads A's booking meanwhile and books its own start a gap after it, which comes before A hears back.
        slow.Delay(TimeSpan.FromMilliseconds(400), writes: 1);
        var clock = Stopwatch.StartNew();
        async Task<TimeSpan> HoldAsync(HostThrottle throttle)
        {
            await using (await throttle.AcquireAsync("news.example.com", CancellationToken.None))
            {
                var start = clock.Elapsed;
                await Task.Delay(50);
                return start;
            }
        }
        var first = HoldAsync(a);
        await Task.Delay(100);
        var second = HoldAsync(b);
        var starts = await Task.WhenAll(first, second);

        var apart = (starts[0] - starts[1]).Duration();
        Assert.True(apart >= TimeSpan.FromMilliseconds(225), $"A started at {starts[0].TotalMilliseconds:0} ms and B at {starts[1].TotalMilliseconds:0} ms: {apart.TotalMilliseconds:0} ms apart");
    }

    [Fact]
    public async Task An_instance_whose_every_slot_write_is_slower_than_the_gap_still_gets_an_idle_hosts_slot()
    {
        var options = new FeedFetchOptions { MaxConcurrentPerHost = 2, MinHostGap = TimeSpan.FromMilliseconds(300), Timeout = TimeSpan.FromSeconds(5) };
        await azurite.ResetAsync();
        var slow = new SlowSlotWrites();
        var throttle = SharedThrottle(StorageWith(slow), options);
        slow.Delay(TimeSpan.FromMilliseconds(400), writes: int.MaxValue);

        // Each booking leads by twice the last write, so after the first late reply the next start is booked far enough
        // ahead to be heard of in time; were the lead capped below the write time, every booking would come late.
        for (var i = 0; i < 3; i++)
            await (await throttle.AcquireAsync($"idle{i}.example.com", CancellationToken.None)).DisposeAsync();
    }

    /// <summary>Storage whose table client goes through <paramref name="policy"/>.</summary>
    private AlertsStorage StorageWith(Azure.Core.Pipeline.HttpPipelinePolicy policy)
    {
        var tables = new Azure.Data.Tables.TableClientOptions();
        tables.AddPolicy(policy, Azure.Core.HttpPipelinePosition.PerCall);
        return new AlertsStorage(
            new Azure.Data.Tables.TableServiceClient(azurite.ConnectionString, tables),
            new Azure.Storage.Queues.QueueServiceClient(azurite.ConnectionString, AlertsStorage.QueueOptions()),
            new Azure.Storage.Blobs.BlobServiceClient(azurite.ConnectionString));
    }

    /// <summary>Delays the reply (not the write) of the next slot writes: the row changes at once, the writer learns late.</summary>
    private sealed class SlowSlotWrites : Azure.Core.Pipeline.HttpPipelinePolicy
    {
        private int _pending;
        private TimeSpan _delay;

        public void Delay(TimeSpan delay, int writes)
        {
            _delay = delay;
            Volatile.Write(ref _pending, writes);
        }

        public override async ValueTask ProcessAsync(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline)
        {
            await ProcessNextAsync(message, pipeline);
            if (message.Request.Method != Azure.Core.RequestMethod.Get
                && message.Request.Uri.Path.Contains(TableNames.HostSlots, StringComparison.Ordinal)
                && Interlocked.Decrement(ref _pending) >= 0)
                await Task.Delay(_delay);
        }

        public override void Process(Azure.Core.HttpMessage message, ReadOnlyMemory<Azure.Core.Pipeline.HttpPipelinePolicy> pipeline) =>
            ProcessNext(message, pipeline);
    }
}
