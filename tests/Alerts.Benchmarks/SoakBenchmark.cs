using System.Collections.Concurrent;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;
using Alerts.Core;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.Benchmarks;

/// <summary>
/// The pipeline's promise under faults: the real handlers (feed fetch, article match, digest send, the delivery sweep),
/// registered as the hosts register them, run against Azurite (persisted on disk), loopback feeds that publish a story
/// every couple of seconds and a real SMTP server, while a fault schedule stops SMTP, restarts storage and redelivers
/// queue messages. Expected (subscriber, story) pairs come from the stories published and the plain evaluator, not from
/// the pipeline; delivered pairs come from the emails the SMTP server accepted.
///   dotnet run -c Release --project tests/Alerts.Benchmarks -- soak --minutes 20
/// </summary>
public static class SoakBenchmark
{
    private static readonly string[] Words =
    [
        "harbour", "council", "budget", "river", "bridge", "school", "doctor", "tariff", "election", "museum",
        "railway", "farmer", "storm", "vaccine", "court", "airport", "festival", "mining", "pension", "housing",
        "library", "factory", "wildfire", "drought", "senate", "refinery", "tourism", "orchestra", "satellite", "glacier",
        "lottery", "stadium", "hospital", "ferry", "copper", "wheat", "coffee", "tunnel", "prison", "embassy",
        "volcano", "marathon", "theatre", "dairy", "harvest", "pipeline", "reactor", "harbourmaster", "lighthouse", "canal",
    ];


    private const int FeedCount = 4;
    private const int SubscriberCount = 36;
    private static readonly TimeSpan PublishEvery = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan FetchEvery = TimeSpan.FromSeconds(4);
    private static readonly TimeSpan SweepEvery = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan RedeliverEvery = TimeSpan.FromSeconds(6);
    // The fault cycle, repeated for the whole run: SMTP refuses connections, then storage goes away and comes back.
    private static readonly TimeSpan Cycle = TimeSpan.FromSeconds(90);
    private static readonly TimeSpan SmtpOutageAt = TimeSpan.FromSeconds(15), SmtpOutageFor = TimeSpan.FromSeconds(25);
    private static readonly TimeSpan StorageDownAt = TimeSpan.FromSeconds(55), StorageDownFor = TimeSpan.FromSeconds(10);
    private static readonly TimeSpan MaxDrain = TimeSpan.FromMinutes(5);

    public static async Task<int> RunAsync(string[] args)
    {
        var minutes = args.SkipWhile(a => a != "--minutes").Skip(1)
            .Select(v => double.Parse(v, CultureInfo.InvariantCulture)).DefaultIfEmpty(20).First();
        var seed = args.SkipWhile(a => a != "--seed").Skip(1).Select(int.Parse).DefaultIfEmpty(11).First();
        var random = new Random(seed);
        var runFor = TimeSpan.FromMinutes(minutes);

        var location = Directory.CreateTempSubdirectory("alerts-soak-azurite-");
        await using var azurite = await RestartableAzurite.StartAsync(location.FullName);
        await using var smtp = await SoakSmtpServer.StartAsync();
        await using var feeds = await SoakFeeds.StartAsync(FeedCount);
        var storage = AlertsStorage.FromConnectionString(azurite.ConnectionString);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Tokens:SigningKey"] = "soak-benchmark-signing-key-0123456789abcdef",
            ["Site:PublicBaseUrl"] = "https://alerts.example.org",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp.Port.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:FromAddress"] = "alerts@alerts.example.org",
            ["Smtp:Timeout"] = "00:00:05",
            ["Feeds:AllowLoopback"] = "true",
            ["Feeds:MinHostGap"] = "00:00:00.050",
            ["Matching:IndexRefreshInterval"] = "00:00:00",
            // Retries and the sweep on the soak's time scale (seconds, not the production minutes).
            ["Delivery:RetryInitialDelay"] = "00:00:01",
            ["Delivery:RetryMaxDelay"] = "00:00:08",
            ["Delivery:SweepAfter"] = "00:00:20",
            ["Delivery:ClaimLease"] = "00:01:00",
            // Longer than a storage restart takes on a busy machine (up to about 70 s seen), as production's 10 min is.
            ["Delivery:RecordFor"] = "00:03:00",
        }).Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton<IConfiguration>(configuration)
            .AddSingleton(storage)
            .AddAlertsCore(configuration)
            .BuildServiceProvider();
        await storage.EnsureCreatedAsync();

        // Instant subscribers with generated queries, created before any story is first seen.
        var subscriptions = new List<(Subscription Subscription, Query Query)>();
        var subscriptionStore = services.GetRequiredService<SubscriptionStore>();
        var created = DateTimeOffset.UtcNow.AddDays(-1);
        for (var i = 0; i < SubscriberCount; i++)
        {
            var text = GenerateQuery(random, i);
            var s = new Subscription(SubscriptionStore.NewId(), $"reader{i:D3}@soak.example.org", text, Frequency.Instant,
                SubscriptionStatus.Active, created, created, "UTC", 8);
            await subscriptionStore.AddAsync(s);
            subscriptions.Add((s, QueryParser.Parse(text)));
        }
        var feedStore = services.GetRequiredService<FeedStore>();
        var feedIds = new List<string>();
        for (var i = 0; i < FeedCount; i++)
        {
            var feed = Feed.Create(feeds.Url(i), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), $"Soak feed {i}");
            await feedStore.TryAddAsync(feed);
            feedIds.Add(feed.Id);
        }
        await foreach (var stored in feedStore.ListAsync())
            if (!feedIds.Contains(stored.Id))
                feedIds.Add(stored.Id);

        var pump = new SoakPump(services, storage);
        using var stop = new CancellationTokenSource();
        var workers = pump.Start(stop.Token);
        var faults = new FaultCounts();
        var expected = new HashSet<(string Email, int Story)>();
        var published = 0;
        var started = DateTime.UtcNow;
        Console.Error.WriteLine($"soak: {minutes} min, {SubscriberCount} instant subscribers, {FeedCount} feeds, Azurite data in {location.FullName}");

        // Publishing and redelivering run while stories are published, fetching and sweeping until the drain is over; the
        // fault cycle drives SMTP and storage.
        using var publishing = new CancellationTokenSource(runFor);
        var loops = new List<Task>
        {
            Every(PublishEvery, publishing.Token, () =>
            {
                var id = published++;
                var title = $"Q{id:D6}Z " + string.Join(' ', Pick(random, 4));
                var summary = string.Join(' ', Pick(random, 8));
                // Expected independently of the pipeline: the plain evaluator on what the feed publishes.
                var document = new AnalyzedDocument(new MatchDocument(title, summary + "\n", "127.0.0.1"));
                foreach (var (s, q) in subscriptions)
                    if (QueryEvaluator.Matches(q, document))
                        expected.Add((s.Email, id));
                feeds.Publish(id % FeedCount, id, title, summary);
                return Task.CompletedTask;
            }),
            Every(FetchEvery, stop.Token, async () =>
            {
                var queue = storage.Queue(QueueNames.FeedFetch);
                foreach (var id in feedIds)
                    await queue.SendAsync(new FeedFetchMessage(id));
            }),
            Every(SweepEvery, stop.Token, () => services.GetRequiredService<DeliverySweep>().HandleAsync()),
            // While stories are published, as the other faults: a redelivery during the drain would re-queue alerts
            // (hidden for the gather window), and the queues would never be seen empty.
            Every(RedeliverEvery, publishing.Token, async () =>
            {
                // The same message twice, at the same moment, on each of the three queues.
                foreach (var queueName in SoakPump.Queues)
                {
                    if (pump.RecentBody(queueName, random) is not { } body)
                        continue;
                    var queue = storage.Queue(queueName);
                    await Task.WhenAll(queue.SendMessageAsync(body), queue.SendMessageAsync(body));
                    Interlocked.Increment(ref faults.Redeliveries);
                }
            }),
            FaultCycleAsync(runFor, azurite, smtp, faults, stop.Token),
        };

        await Task.Delay(runFor);
        await loops[0].ContinueWith(_ => { }, TaskScheduler.Default);
        Console.Error.WriteLine($"soak: published {published} stories; {expected.Count} expected pairs; draining");
        // The fault cycle ends with SMTP and storage up; then the drain: until every expected pair arrived and the
        // queues are empty, and a little longer to catch late duplicates.
        await loops[^1];
        var drainUntil = DateTime.UtcNow + MaxDrain;
        while (DateTime.UtcNow < drainUntil)
        {
            var delivered = smtp.Pairs();
            var queued = await TotalMessagesAsync(storage);
            if (expected.All(delivered.ContainsKey) && queued == 0)
                break;
            Console.Error.WriteLine($"soak: {DateTime.UtcNow:HH:mm:ss} draining: {expected.Count(delivered.ContainsKey)} of {expected.Count} pairs delivered, {smtp.Count} emails, {queued} messages queued, {pump.Failures} handler failures ({string.Join(", ", pump.FailureKinds.Select(k => $"{k.Key}={k.Value}"))})");
            await Task.Delay(TimeSpan.FromSeconds(5));
        }
        await Task.Delay(TimeSpan.FromSeconds(15));
        await stop.CancelAsync();
        await Task.WhenAll(loops.Skip(1).Select(l => l.ContinueWith(_ => { }, TaskScheduler.Default)));
        await Task.WhenAll(workers.Select(w => w.ContinueWith(_ => { }, TaskScheduler.Default)));

        var pairs = smtp.Pairs();
        var deliveredExpected = pairs.Keys.Count(expected.Contains);
        var unexpected = pairs.Keys.Where(p => !expected.Contains(p)).OrderBy(p => p.Story).ToList();
        var duplicated = pairs.Where(p => p.Value > 1).OrderBy(p => p.Key.Story).ToList();
        var lost = expected.Where(p => !pairs.ContainsKey(p)).OrderBy(p => p.Story).ToList();
        var poisoned = new Dictionary<string, int>();
        foreach (var queueName in SoakPump.Queues)
            poisoned[queueName] = (await storage.Queue(QueueNames.Poison(queueName)).GetPropertiesAsync()).Value.ApproximateMessagesCount;

        Console.WriteLine($"ran {(DateTime.UtcNow - started).TotalMinutes:F1} min in all (publishing {minutes} min, then the drain)");
        Console.WriteLine($"stories published: {published}; emails accepted: {smtp.Count}; handler failures: {pump.Failures} ({string.Join(", ", pump.FailureKinds.Select(k => $"{k.Key}={k.Value}"))})");
        Console.WriteLine($"poison queues: {string.Join(", ", poisoned.Select(p => $"{p.Key}={p.Value}"))}");
        foreach (var (pair, count) in duplicated)
            Console.WriteLine($"duplicated: {pair.Email} story Q{pair.Story:D6}Z, {count} emails at {string.Join(", ", smtp.Times(pair).Select(t => t.ToString("HH:mm:ss.fff", CultureInfo.InvariantCulture)))}");
        foreach (var pair in lost)
            Console.WriteLine($"lost: {pair.Email} story Q{pair.Story:D6}Z");
        foreach (var pair in unexpected)
            Console.WriteLine($"delivered but not expected: {pair.Email} story Q{pair.Story:D6}Z");
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            minutes,
            expected = expected.Count,
            delivered = deliveredExpected,
            duplicated = duplicated.Count,
            lost = lost.Count,
            faults = new { smtp_outages = faults.SmtpOutages, storage_restarts = faults.StorageRestarts, redeliveries = faults.Redeliveries },
        }));
        try
        {
            location.Delete(recursive: true);
        }
        catch (IOException)
        {
        }
        return 0;
    }

    private sealed class FaultCounts
    {
        public int SmtpOutages;
        public int StorageRestarts;
        public int Redeliveries;
    }

    /// <summary>Repeats the fault cycle while stories are published; each fault starts only if it can end within the run.</summary>
    private static async Task FaultCycleAsync(TimeSpan runFor, RestartableAzurite azurite, SoakSmtpServer smtp, FaultCounts faults, CancellationToken cancellationToken)
    {
        var start = DateTime.UtcNow;
        for (var cycle = TimeSpan.Zero; cycle + SmtpOutageAt + SmtpOutageFor <= runFor; cycle += Cycle)
        {
            await DelayUntil(start + cycle + SmtpOutageAt, cancellationToken);
            Console.Error.WriteLine($"soak: {DateTime.UtcNow:HH:mm:ss} SMTP refuses connections for {SmtpOutageFor.TotalSeconds} s");
            await smtp.StopListeningAsync();
            faults.SmtpOutages++;
            await Task.Delay(SmtpOutageFor, cancellationToken);
            await smtp.ResumeAsync();
            Console.Error.WriteLine($"soak: {DateTime.UtcNow:HH:mm:ss} SMTP back");

            if (cycle + StorageDownAt + StorageDownFor > runFor)
                break;
            await DelayUntil(start + cycle + StorageDownAt, cancellationToken);
            Console.Error.WriteLine($"soak: {DateTime.UtcNow:HH:mm:ss} storage stops for {StorageDownFor.TotalSeconds} s");
            await azurite.StopAsync();
            await Task.Delay(StorageDownFor, cancellationToken);
            await azurite.StartAgainAsync();
            faults.StorageRestarts++;
            Console.Error.WriteLine($"soak: {DateTime.UtcNow:HH:mm:ss} storage back");
        }
    }

    private static async Task DelayUntil(DateTime when, CancellationToken cancellationToken)
    {
        var wait = when - DateTime.UtcNow;
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait, cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> every <paramref name="period"/> until cancelled; a failed run (storage down) is retried next period.</summary>
    private static async Task Every(TimeSpan period, CancellationToken cancellationToken, Func<Task> work)
    {
        using var timer = new PeriodicTimer(period);
        try
        {
            while (await timer.WaitForNextTickAsync(cancellationToken))
            {
                try
                {
                    await work();
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private static async Task<int> TotalMessagesAsync(AlertsStorage storage)
    {
        try
        {
            var total = 0;
            foreach (var name in SoakPump.Queues)
                total += (await storage.Queue(name).GetPropertiesAsync()).Value.ApproximateMessagesCount;
            return total;
        }
        catch (Azure.RequestFailedException)
        {
            return -1;
        }
    }

    private static IEnumerable<string> Pick(Random random, int count) => Enumerable.Range(0, count).Select(_ => Words[random.Next(Words.Length)]);

    /// <summary>One word, two words with AND, OR or NOT, a phrase, or a prefix: the shapes subscribers write.</summary>
    private static string GenerateQuery(Random random, int i)
    {
        string W() => Words[random.Next(Words.Length)];
        return (i % 6) switch
        {
            0 => W(),
            1 => $"{W()} AND {W()}",
            2 => $"{W()} OR {W()}",
            3 => $"{W()} -{W()}",
            4 => $"\"{W()} {W()}\" OR {W()}",
            _ => $"{W()[..4]}* OR {W()}",
        };
    }

    /// <summary>
    /// Plays the queue trigger the way the local host's QueueListener does: receive, handle, delete on success, leave
    /// the message for a retry on failure, and move it to "{queue}-poison" after five attempts.
    /// </summary>
    private sealed class SoakPump(ServiceProvider services, AlertsStorage storage)
    {
        public static readonly string[] Queues = [QueueNames.FeedFetch, QueueNames.ArticleMatch, QueueNames.DigestSend];
        private const int MaxDequeueCount = 5;
        private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _recent = new();
        private int _failures;

        public int Failures => Volatile.Read(ref _failures);
        public ConcurrentDictionary<string, int> FailureKinds { get; } = new();

        public string? RecentBody(string queueName, Random random)
        {
            if (!_recent.TryGetValue(queueName, out var recent) || recent.IsEmpty)
                return null;
            var list = recent.ToArray();
            return list[random.Next(list.Length)];
        }

        public List<Task> Start(CancellationToken cancellationToken) =>
            Queues.SelectMany(q => new[] { Task.Run(() => RunAsync(q, cancellationToken)), Task.Run(() => RunAsync(q, cancellationToken)) }).ToList();

        private Task Handle(string queueName, string body) => queueName switch
        {
            QueueNames.FeedFetch => services.GetRequiredService<FeedFetchHandler>().HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(body), CancellationToken.None),
            QueueNames.ArticleMatch => services.GetRequiredService<ArticleMatchHandler>().HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(body)),
            _ => services.GetRequiredService<DigestSendHandler>().HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(body)),
        };

        private async Task RunAsync(string queueName, CancellationToken cancellationToken)
        {
            var queue = storage.Queue(queueName);
            var poison = storage.Queue(QueueNames.Poison(queueName));
            while (!cancellationToken.IsCancellationRequested)
            {
                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(8, TimeSpan.FromSeconds(30), cancellationToken)).Value;
                }
                catch (OperationCanceledException)
                {
                    return;
                }
                catch (Exception)
                {
                    await Task.Delay(500, CancellationToken.None);
                    continue;
                }
                if (batch.Length == 0)
                {
                    await Task.Delay(200, CancellationToken.None);
                    continue;
                }
                await Task.WhenAll(batch.Select(m => ProcessAsync(queueName, queue, poison, m)));
            }
        }

        private async Task ProcessAsync(string queueName, QueueClient queue, QueueClient poison, QueueMessage message)
        {
            var body = message.Body.ToString();
            try
            {
                if (message.DequeueCount > MaxDequeueCount)
                {
                    await poison.SendMessageAsync(body);
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                    return;
                }
                await Handle(queueName, body);
                var recent = _recent.GetOrAdd(queueName, _ => new ConcurrentQueue<string>());
                recent.Enqueue(body);
                while (recent.Count > 20)
                    recent.TryDequeue(out _);
                await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
            }
            catch (Exception ex)
            {
                Interlocked.Increment(ref _failures);
                if (FailureKinds.AddOrUpdate($"{queueName}:{ex.GetType().Name}", 1, (_, n) => n + 1) == 1)
                    Console.Error.WriteLine($"soak: first {queueName} failure: {ex.GetType().Name}: {ex.Message}");
                // Visible again soon, as the trigger's retry would make it (or after the 30 s timeout if storage is down).
                try
                {
                    await queue.UpdateMessageAsync(message.MessageId, message.PopReceipt, visibilityTimeout: TimeSpan.FromSeconds(1));
                }
                catch (Exception)
                {
                }
            }
        }
    }

    /// <summary>Feeds on loopback, each serving its latest 100 stories with an ETag; <see cref="Publish"/> adds one.</summary>
    private sealed class SoakFeeds : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly List<(int Id, string Title, string Summary, DateTimeOffset Published)>[] _items;
        private readonly string _baseUrl;

        private SoakFeeds(WebApplication app, List<(int, string, string, DateTimeOffset)>[] items, string baseUrl)
        {
            _app = app;
            _items = items;
            _baseUrl = baseUrl;
        }

        public string Url(int i) => $"{_baseUrl}/feed/{i}.xml";

        public static async Task<SoakFeeds> StartAsync(int count)
        {
            var items = Enumerable.Range(0, count).Select(_ => new List<(int, string, string, DateTimeOffset)>()).ToArray();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var app = builder.Build();
            app.MapGet("/feed/{name}", (HttpContext context, string name) =>
            {
                var list = items[int.Parse(name.Replace(".xml", ""), CultureInfo.InvariantCulture)];
                List<(int Id, string Title, string Summary, DateTimeOffset Published)> latest;
                lock (list)
                    latest = list.TakeLast(100).ToList();
                var etag = $"\"{(latest.Count == 0 ? -1 : latest[^1].Id)}\"";
                context.Response.Headers.ETag = etag;
                if (context.Request.Headers.IfNoneMatch.ToString() == etag)
                    return Results.StatusCode(StatusCodes.Status304NotModified);
                var rss = new StringBuilder("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Soak</title><link>https://news.example.org/</link>");
                foreach (var item in Enumerable.Reverse(latest))
                    rss.Append(CultureInfo.InvariantCulture,
                        $"<item><title>{item.Title}</title><link>https://news.example.org/story/{item.Id}</link><guid isPermaLink=\"false\">soak-{item.Id}</guid>"
                        + $"<pubDate>{item.Published.ToString("r", CultureInfo.InvariantCulture)}</pubDate><description>{item.Summary}</description></item>");
                return Results.Text(rss.Append("</channel></rss>").ToString(), "application/rss+xml");
            });
            await app.StartAsync();
            return new SoakFeeds(app, items, app.Urls.First());
        }

        public void Publish(int feed, int id, string title, string summary)
        {
            var list = _items[feed];
            lock (list)
                list.Add((id, title, summary, DateTimeOffset.UtcNow));
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }
}
