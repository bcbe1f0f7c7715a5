using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Alerts.Core;
using Alerts.Core.Feeds;
using Alerts.Core.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Alerts.Benchmarks;

/// <summary>
/// <c>poll --feeds 1000</c>: serves N feeds on loopback (spread over <c>--hosts</c> addresses 127.0.0.x, so per-host
/// politeness applies as it would across real publishers), then runs full poll cycles through the real path on
/// Azurite: the PollFeeds handler claims and queues, workers take <c>feed-fetch</c> messages like the Functions host
/// (batches of 32, <c>--workers</c> in parallel) and run FeedFetchHandler with the default settings (2 per host, a
/// 250 ms gap). Each measured cycle changes <c>--changed</c> percent of the feeds. The last line is one JSON object.
/// </summary>
public static class PollBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Option(string name, int fallback) =>
            args.SkipWhile(a => a != name).Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).DefaultIfEmpty(fallback).First();
        var feedCount = Option("--feeds", 1000);
        var hostCount = Math.Clamp(Option("--hosts", 100), 1, 250);
        var cycles = Math.Max(1, Option("--cycles", 3));
        var changedPercent = Option("--changed", 10);
        var workers = Math.Max(1, Option("--workers", 4));

        await using var azurite = await LocalAzurite.StartAsync();
        await using var server = await FeedServer.StartAsync(feedCount, hostCount);
        var counter = new StorageTransactionCounter();
        var storage = AlertsStorage.FromConnectionString(azurite.ConnectionString, counter);
        var time = new ShiftedTime();
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tokens:SigningKey"] = "poll-benchmark-signing-key-0123456789abcdef",
            ["Site:PublicBaseUrl"] = "https://alerts.example.org",
            ["Feeds:AllowLoopback"] = "true",
        }).Build();
        await using var services = new ServiceCollection()
            .AddLogging(l => l.SetMinimumLevel(LogLevel.Warning))
            .AddSingleton(storage)
            .AddSingleton<TimeProvider>(time)
            .AddSingleton<IConfiguration>(configuration) // as every host registers it (options validation reads it)
            .AddAlertsCore(configuration)
            .BuildServiceProvider();
        await storage.EnsureCreatedAsync();
        var feeds = services.GetRequiredService<FeedStore>();
        await Parallel.ForAsync(0, feedCount, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await feeds.TryAddAsync(Feed.Create(server.Url(i), time.GetUtcNow(), TimeSpan.FromMinutes(15), $"Feed {i}"), ct));

        // Warm-up: every feed's first full fetch (not measured).
        await CycleAsync(services, storage, workers);
        var random = new Random(42);
        CycleResult? last = null;
        double unchangedPerFeed = 0;
        for (var cycle = 0; cycle <= cycles; cycle++)
        {
            // The clock moves past the longest interval, so every feed is due, as at the start of a busy minute.
            time.Offset += TimeSpan.FromHours(25);
            // Cycle 0 changes nothing: it prices an unchanged feed. The others change --changed percent.
            var changed = cycle == 0 ? 0 : feedCount * changedPercent / 100;
            foreach (var i in Enumerable.Range(0, feedCount).OrderBy(_ => random.Next()).Take(changed))
                server.Publish(i);
            server.ResetCounters();
            counter.Reset();
            var stopwatch = Stopwatch.StartNew();
            await CycleAsync(services, storage, workers);
            stopwatch.Stop();
            var result = new CycleResult(feedCount, Math.Round(stopwatch.Elapsed.TotalSeconds, 2), server.Requests, server.NotModified, server.Bytes,
                counter.Total, server.MaxPerHostConcurrency);
            if (cycle == 0)
            {
                unchangedPerFeed = (double)counter.Total / feedCount;
                Console.WriteLine($"unchanged cycle: {result.cycle_seconds} s, {counter.Total} storage transactions ({unchangedPerFeed:F2} per feed: {Describe(counter)})");
                continue;
            }
            Console.WriteLine($"cycle {cycle}: {result.cycle_seconds} s, {result.requests} requests, {result.not_modified} not modified, {result.bytes} bytes, {result.storage_transactions} storage transactions ({Describe(counter)}), per-host max {result.per_host_max_concurrency}");
            last = result;
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            feeds = last!.feeds,
            cycle_seconds = last.cycle_seconds,
            requests = last.requests,
            not_modified = last.not_modified,
            bytes = last.bytes,
            storage_transactions = last.storage_transactions,
            per_host_max_concurrency = last.per_host_max_concurrency,
            storage_transactions_per_unchanged_feed = Math.Round(unchangedPerFeed, 2),
            hosts = hostCount,
            changed_percent = changedPercent,
        }));
        return 0;
    }

    private static string Describe(StorageTransactionCounter counter) =>
        string.Join(", ", counter.Snapshot().OrderBy(p => p.Key).Select(p => $"{p.Key} {p.Value}"));

    // Property names are the JSON keys of the benchmark line.
#pragma warning disable IDE1006
    private sealed record CycleResult(int feeds, double cycle_seconds, long requests, long not_modified, long bytes, long storage_transactions, int per_host_max_concurrency);
#pragma warning restore IDE1006

    /// <summary>One poll tick, then every feed-fetch message, taken like the Functions queue trigger does.</summary>
    private static async Task CycleAsync(IServiceProvider services, AlertsStorage storage, int workers)
    {
        await services.GetRequiredService<FeedPollHandler>().HandleAsync(CancellationToken.None);
        var handler = services.GetRequiredService<FeedFetchHandler>();
        var queue = storage.Queue(QueueNames.FeedFetch);
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
        {
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(maxMessages: 32, visibilityTimeout: TimeSpan.FromMinutes(5))).Value;
                if (batch.Length == 0)
                    return;
                await Task.WhenAll(batch.Select(async message =>
                {
                    await handler.HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(message.Body.ToString()), CancellationToken.None);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }));
            }
        }));
        // Article-match messages are the matching stage's work, not the poll's; clear them outside the count.
        await storage.Queue(QueueNames.ArticleMatch).ClearMessagesAsync();
    }

    /// <summary>The system clock moved forward by <see cref="Offset"/>; timestamps (elapsed times) stay real.</summary>
    private sealed class ShiftedTime : TimeProvider
    {
        public TimeSpan Offset { get; set; }

        public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + Offset;
    }

    /// <summary>N RSS feeds with ETag/Last-Modified and 304s, on 127.0.0.1..127.0.0.H (one port), counting per host.</summary>
    private sealed class FeedServer : IAsyncDisposable
    {
        private const int ItemsPerFeed = 10;
        private readonly WebApplication _app;
        private readonly int[] _versions;
        private readonly int _hosts;
        private readonly int _port;
        private readonly ConcurrentDictionary<string, int[]> _perHost = new();
        private long _requests, _notModified, _bytes;

        private FeedServer(WebApplication app, int feeds, int hosts, int port)
        {
            _app = app;
            _versions = new int[feeds];
            _hosts = hosts;
            _port = port;
        }

        public long Requests => Interlocked.Read(ref _requests);
        public long NotModified => Interlocked.Read(ref _notModified);
        public long Bytes => Interlocked.Read(ref _bytes);
        public int MaxPerHostConcurrency => _perHost.Values.Select(c => Volatile.Read(ref c[1])).DefaultIfEmpty(0).Max();

        public string Url(int feed) => $"http://127.0.0.{1 + feed % _hosts}:{_port}/feeds/{feed}.xml";

        public void Publish(int feed) => Interlocked.Increment(ref _versions[feed]);

        public void ResetCounters()
        {
            Interlocked.Exchange(ref _requests, 0);
            Interlocked.Exchange(ref _notModified, 0);
            Interlocked.Exchange(ref _bytes, 0);
            _perHost.Clear();
        }

        public static async Task<FeedServer> StartAsync(int feeds, int hosts)
        {
            var port = FreePort();
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            builder.WebHost.UseKestrel(k =>
            {
                for (var h = 1; h <= hosts; h++)
                    k.Listen(IPAddress.Parse($"127.0.0.{h}"), port);
            });
            var app = builder.Build();
            var server = new FeedServer(app, feeds, hosts, port);
            app.Run(server.ServeAsync);
            await app.StartAsync();
            return server;
        }

        private async Task ServeAsync(HttpContext context)
        {
            var host = context.Request.Host.Host;
            var counts = _perHost.GetOrAdd(host, _ => new int[2]);
            var inFlight = Interlocked.Increment(ref counts[0]);
            int seen;
            while (inFlight > (seen = Volatile.Read(ref counts[1])) && Interlocked.CompareExchange(ref counts[1], inFlight, seen) != seen)
            {
            }
            try
            {
                Interlocked.Increment(ref _requests);
                var name = Path.GetFileNameWithoutExtension(context.Request.Path.Value ?? "");
                if (!int.TryParse(name, CultureInfo.InvariantCulture, out var feed) || feed < 0 || feed >= _versions.Length)
                {
                    context.Response.StatusCode = 404;
                    return;
                }
                var version = Volatile.Read(ref _versions[feed]);
                var etag = $"\"{feed}-{version}\"";
                var lastModified = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddMinutes(version);
                context.Response.Headers.ETag = etag;
                context.Response.Headers.LastModified = lastModified.ToString("r", CultureInfo.InvariantCulture);
                if (context.Request.Headers.IfNoneMatch.ToString() == etag)
                {
                    Interlocked.Increment(ref _notModified);
                    context.Response.StatusCode = 304;
                    return;
                }
                var body = Rss(feed, version, lastModified);
                context.Response.ContentType = "application/rss+xml; charset=utf-8";
                context.Response.ContentLength = body.Length;
                Interlocked.Add(ref _bytes, body.Length);
                await context.Response.Body.WriteAsync(body);
            }
            finally
            {
                Interlocked.Decrement(ref counts[0]);
            }
        }

        private static byte[] Rss(int feed, int version, DateTimeOffset newest)
        {
            var xml = new StringBuilder($"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Feed {feed}</title><link>https://site{feed}.example.org/</link><description>Benchmark feed</description>""");
            for (var n = version + ItemsPerFeed - 1; n >= version; n--)
            {
                xml.Append(CultureInfo.InvariantCulture, $"<item><title>Story {n} from feed {feed}</title><link>https://site{feed}.example.org/story/{n}</link>");
                xml.Append(CultureInfo.InvariantCulture, $"<guid>https://site{feed}.example.org/story/{n}</guid><description>Paragraph about story {n}, with enough words to look like a real summary of a news article.</description>");
                xml.Append(CultureInfo.InvariantCulture, $"<pubDate>{newest.AddHours(n - version - ItemsPerFeed).ToString("r", CultureInfo.InvariantCulture)}</pubDate></item>");
            }
            xml.Append("</channel></rss>");
            return Encoding.UTF8.GetBytes(xml.ToString());
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        public async ValueTask DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }
}
