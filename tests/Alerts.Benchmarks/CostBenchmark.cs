using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Alerts.Core;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using SmtpServer;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Alerts.Benchmarks;

/// <summary>
/// Counts the Azure Storage transactions the pipeline makes, end to end on Azurite with real HTTP feeds and a real SMTP
/// server: per unchanged feed poll, per new article, per recorded match, per new article of a feed with full text on
/// (its page request, page bytes and the extra bytes stored with the article) and per digest email. Each queue message is
/// read and deleted the way the Functions host does it (one receive and one delete per message, the worst case).
///   dotnet run -c Release --project tests/Alerts.Benchmarks -- cost [--feeds 100] [--subscriptions 1000] [--matching 20]
/// </summary>
public static class CostBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        int Option(string name, int fallback) =>
            args.SkipWhile(a => a != name).Skip(1).Select(v => int.Parse(v, CultureInfo.InvariantCulture)).DefaultIfEmpty(fallback).First();
        if (args.Contains("--matches"))
            return await RunPerArticleAsync(args.SkipWhile(a => a != "--matches").Skip(1).First()
                .Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray());
        var feedCount = Option("--feeds", 100);
        var subscriptionCount = Option("--subscriptions", 1000);
        var matchingCount = Option("--matching", 20);

        await using var azurite = await LocalAzurite.StartAsync();
        await using var feeds = await FeedServer.StartAsync(feedCount);
        var smtp = new SmtpSink();
        var smtpPort = await smtp.StartAsync();

        var counter = new StorageTransactionCounter();
        var storage = AlertsStorage.FromConnectionString(azurite.ConnectionString, counter);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tokens:SigningKey"] = "cost-benchmark-signing-key-0123456789abcdef",
            ["Site:PublicBaseUrl"] = "https://alerts.example.org",
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtpPort.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:FromAddress"] = "alerts@example.org",
            // The benchmark's feeds are on loopback.
            ["Feeds:AllowLoopback"] = "true",
            // A cycle drains what is visible; alerts hidden for the gather window would be counted in a later cycle.
            ["Delivery:InstantGatherFor"] = "00:00:00",
        }).Build();
        var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(storage)
            .AddSingleton<IConfiguration>(configuration) // as every host registers it (options validation reads it)
            .AddAlertsCore(configuration)
            .BuildServiceProvider();
        await storage.EnsureCreatedAsync();

        // Subscribers: a few follow "DACA", the rest follow words no article below contains.
        var store = services.GetRequiredService<SubscriptionStore>();
        var hour = DateTimeOffset.UtcNow.Hour;
        await Parallel.ForAsync(0, subscriptionCount, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
            await store.AddAsync(new Subscription(SubscriptionStore.NewId(), $"reader{i}@example.org",
                i < matchingCount ? "DACA" : $"topic{i} OR subject{i}", Frequency.Daily, SubscriptionStatus.Active,
                DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, "UTC", hour), ct));
        var feedStore = services.GetRequiredService<FeedStore>();
        for (var i = 0; i < feedCount; i++)
            await feedStore.TryAddAsync(Feed.Create(feeds.Url(i), DateTimeOffset.UtcNow, TimeSpan.FromMinutes(15), $"Feed {i}"));

        // Warm-up: first fetch of every feed and the first index load, not counted.
        await PollCycleAsync(services, storage, feedStore);
        await services.GetRequiredService<SubscriptionIndexProvider>().RefreshAsync();

        counter.Reset();
        await PollCycleAsync(services, storage, feedStore);
        var unchanged = counter.Snapshot();

        feeds.Publish(i => ($"Harbour reopens after storm {i}", "Ferries run again."));
        counter.Reset();
        await PollCycleAsync(services, storage, feedStore);
        var newArticles = counter.Snapshot();

        feeds.Publish(i => ($"DACA renewals resume in district {i}", "Applications for DACA reopen."));
        counter.Reset();
        await PollCycleAsync(services, storage, feedStore);
        var matchedArticles = counter.Snapshot();

        // Full text on for every feed (not counted): each new item's page is fetched once and its article stored.
        foreach (var feed in await ListFeedsAsync(feedStore))
            await feedStore.UpdateAsync(feed.Id, f => f with { FullText = FullTextMode.On });
        var fullText = services.GetRequiredService<ArticleFullText>();
        var (pagesBefore, pageBytesBefore) = (fullText.PagesFetched, fullText.PageBytes);
        feeds.Publish(i => ($"Council debates the harbour budget {i}", "Short summary."));
        counter.Reset();
        await PollCycleAsync(services, storage, feedStore);
        var fullTextArticles = counter.Snapshot();
        var pageRequests = fullText.PagesFetched - pagesBefore;
        var pageBytes = fullText.PageBytes - pageBytesBefore;
        // Table Storage bills stored strings as UTF-16: what the page's text adds to each article entity.
        long storedTextBytes = 0;
        var articleStore = services.GetRequiredService<ArticleStore>();
        foreach (var feed in await ListFeedsAsync(feedStore))
            await foreach (var article in articleStore.ListByFeedAsync(feed.Id))
                if (article.Title.StartsWith("Council debates", StringComparison.Ordinal))
                    storedTextBytes += 2L * article.Content.Length;
        if (pageRequests != feedCount || storedTextBytes == 0)
            throw new InvalidOperationException($"Expected {feedCount} page fetches with text stored, got {pageRequests} and {storedTextBytes} bytes.");

        counter.Reset();
        await RunTimerAndDrainAsync(services, storage, s => s.GetRequiredService<DigestScheduler>().HandleAsync());
        var digests = counter.Snapshot();
        if (smtp.Received != matchingCount)
            throw new InvalidOperationException($"Expected {matchingCount} digests, the SMTP server received {smtp.Received}.");

        counter.Reset();
        await services.GetRequiredService<SubscriptionIndexProvider>().RefreshAsync();
        var indexRefresh = counter.Total;

        static long Sum(IReadOnlyDictionary<string, long> s) => s.Values.Sum();
        double perFeed = (double)Sum(unchanged) / feedCount;
        double perArticle = (double)Sum(newArticles) / feedCount;
        double perMatch = (Sum(matchedArticles) - Sum(newArticles)) / (double)(feedCount * matchingCount);
        double perDigest = (double)Sum(digests) / matchingCount;
        double perFullTextArticle = (double)Sum(fullTextArticles) / feedCount;
        double perSubscriberDigestRun = (double)Sum(digests) / subscriptionCount;
        Console.WriteLine($"unchanged poll, per feed:   {perFeed:F2}  {Describe(unchanged, feedCount)}");
        Console.WriteLine($"new article, no match:      {perArticle:F2}  {Describe(newArticles, feedCount)}");
        Console.WriteLine($"per recorded match:         {perMatch:F2}");
        Console.WriteLine($"new article, full text on:  {perFullTextArticle:F2}  {Describe(fullTextArticles, feedCount)}; "
            + $"{pageRequests / (double)feedCount:F2} page requests, {pageBytes / feedCount} page bytes and {storedTextBytes / feedCount} stored text bytes per article");
        Console.WriteLine($"per digest email ({feedCount} items): {perDigest:F2}  {Describe(digests, matchingCount)}");
        Console.WriteLine($"digest run, per subscriber:  {perSubscriberDigestRun:F2}  (every daily subscriber is scheduled; {matchingCount} had news)");
        Console.WriteLine($"index refresh ({subscriptionCount} subscriptions): {indexRefresh}");
        foreach (var (queue, (messages, elapsed)) in Durations.OrderBy(d => d.Key))
            Console.WriteLine($"{queue}: {messages} messages, mean handler time {elapsed.TotalMilliseconds / Math.Max(1, messages):F1} ms");
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            feeds = feedCount,
            subscriptions = subscriptionCount,
            unchanged_poll_per_feed = Math.Round(perFeed, 2),
            new_article_per_article = Math.Round(perArticle, 2),
            per_match = Math.Round(perMatch, 2),
            full_text_article_per_article = Math.Round(perFullTextArticle, 2),
            full_text_page_requests_per_article = Math.Round(pageRequests / (double)feedCount, 2),
            full_text_page_bytes_per_article = pageBytes / feedCount,
            full_text_stored_bytes_per_article = storedTextBytes / feedCount,
            per_digest_email = Math.Round(perDigest, 2),
            digest_run_per_subscriber = Math.Round(perSubscriberDigestRun, 2),
            mean_handler_ms = Durations.ToDictionary(d => d.Key, d => Math.Round(d.Value.Elapsed.TotalMilliseconds / Math.Max(1, d.Value.Messages), 1)),
            index_refresh = indexRefresh,
        }));
        return 0;
    }

    /// <summary>
    /// Storage transactions and handler time of one article-match message for an article matched by M instant-alert
    /// subscriptions, for each M in <paramref name="matches"/> (growing: the subscriptions of one step stay for the next).
    ///   dotnet run -c Release --project tests/Alerts.Benchmarks -- cost --matches 10,1000,10000
    /// Last line: {"matches":[..],"transactions_per_article":[..],"handler_ms":[..]}.
    /// </summary>
    private static async Task<int> RunPerArticleAsync(int[] matches)
    {
        await using var azurite = await LocalAzurite.StartAsync();
        var counter = new StorageTransactionCounter();
        var storage = AlertsStorage.FromConnectionString(azurite.ConnectionString, counter);
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Tokens:SigningKey"] = "cost-benchmark-signing-key-0123456789abcdef",
            ["Site:PublicBaseUrl"] = "https://alerts.example.org",
            ["Smtp:FromAddress"] = "alerts@example.org",
            ["Matching:IndexRefreshInterval"] = "00:00:00",
            // The queued alerts are deleted after each article; hidden ones would outlive the loop.
            ["Delivery:InstantGatherFor"] = "00:00:00",
        }).Build();
        await using var services = new ServiceCollection()
            .AddLogging()
            .AddSingleton(storage)
            .AddSingleton<IConfiguration>(configuration)
            .AddAlertsCore(configuration)
            .BuildServiceProvider();
        await storage.EnsureCreatedAsync();
        var store = services.GetRequiredService<SubscriptionStore>();
        var articles = services.GetRequiredService<ArticleStore>();
        var handler = services.GetRequiredService<ArticleMatchHandler>();
        var index = services.GetRequiredService<SubscriptionIndexProvider>();
        var transactions = new List<long>();
        var handlerMs = new List<double>();
        var written = 0;
        foreach (var m in matches)
        {
            await Parallel.ForAsync(written, m, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
                await store.AddAsync(new Subscription(SubscriptionStore.NewId(), $"reader{i}@example.org", "DACA", Frequency.Instant,
                    SubscriptionStatus.Active, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(-1)), ct));
            written = m;
            await index.RefreshAsync();
            var now = DateTimeOffset.UtcNow;
            var article = new Article("feed0001", $"story{m}", $"DACA renewals resume ({m})", $"https://news.example.org/{m}",
                "Applications for DACA reopen.", "", now, now, "Example News", "news.example.org");
            await articles.TryAddAsync(article);

            counter.Reset();
            var started = Stopwatch.GetTimestamp();
            var matched = await handler.HandleAsync(new ArticleMatchMessage(article.Id));
            handlerMs.Add(Math.Round(Stopwatch.GetElapsedTime(started).TotalMilliseconds, 1));
            transactions.Add(counter.Total);
            if (matched != m)
                throw new InvalidOperationException($"Expected {m} matches, the handler reported {matched}.");
            Console.Error.WriteLine($"{m} matches: {counter.Total} storage transactions ({Describe(counter.Snapshot(), 1)}), {handlerMs[^1]} ms");

            // The alerts themselves are not what is measured here.
            var queue = storage.Queue(QueueNames.DigestSend);
            while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
                foreach (var message in batch)
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }
        Console.WriteLine(JsonSerializer.Serialize(new { matches, transactions_per_article = transactions, handler_ms = handlerMs }));
        return 0;
    }

    /// <summary>Messages handled and time spent per queue, over the whole run: the billed-duration estimate.</summary>
    private static readonly Dictionary<string, (int Messages, TimeSpan Elapsed)> Durations = new();

    private static string Describe(IReadOnlyDictionary<string, long> counts, int per) =>
        string.Join(" ", counts.OrderBy(kv => kv.Key).Select(kv => $"{kv.Key}={kv.Value / (double)per:F2}"));

    private static async Task<List<Feed>> ListFeedsAsync(FeedStore feedStore)
    {
        var list = new List<Feed>();
        await foreach (var feed in feedStore.ListAsync())
            list.Add(feed);
        return list;
    }

    /// <summary>Makes every feed due, runs the poll timer, and drains the queues as the host would.</summary>
    private static async Task PollCycleAsync(ServiceProvider services, AlertsStorage storage, FeedStore feedStore)
    {
        // Not counted as part of the cycle: in production the feeds simply become due as time passes.
        var ids = new List<string>();
        await foreach (var feed in feedStore.ListAsync())
            ids.Add(feed.Id);
        foreach (var id in ids)
            await feedStore.UpdateAsync(id, f => f with { NextCheckAt = DateTimeOffset.UtcNow.AddMinutes(-1) });
        await RunTimerAndDrainAsync(services, storage, s => s.GetRequiredService<FeedPollHandler>().HandleAsync(CancellationToken.None));
    }

    private static async Task RunTimerAndDrainAsync(ServiceProvider services, AlertsStorage storage, Func<IServiceProvider, Task> timer)
    {
        await timer(services);
        var handlers = new (string Queue, Func<string, Task> Handle)[]
        {
            (QueueNames.FeedFetch, m => services.GetRequiredService<FeedFetchHandler>().HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(m), CancellationToken.None)),
            (QueueNames.ArticleMatch, m => services.GetRequiredService<ArticleMatchHandler>().HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(m))),
            (QueueNames.DigestSend, m => services.GetRequiredService<DigestSendHandler>().HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(m))),
        };
        bool any;
        do
        {
            any = false;
            foreach (var (queueName, handle) in handlers)
            {
                var queue = storage.Queue(queueName);
                while (true)
                {
                    var message = (await queue.ReceiveMessageAsync()).Value;
                    if (message is null)
                        break;
                    any = true;
                    var started = Stopwatch.GetTimestamp();
                    await handle(message.Body.ToString());
                    var (messages, elapsed) = Durations.GetValueOrDefault(queueName);
                    Durations[queueName] = (messages + 1, elapsed + Stopwatch.GetElapsedTime(started));
                    await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
                }
            }
        } while (any);
    }

    /// <summary>Feeds on loopback with ETag validators; <see cref="Publish"/> adds one item to each.</summary>
    private sealed class FeedServer : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private readonly List<(string Title, string Summary)>[] _items;
        private readonly string _baseUrl;

        private FeedServer(WebApplication app, List<(string, string)>[] items, string baseUrl)
        {
            _app = app;
            _items = items;
            _baseUrl = baseUrl;
        }

        public string Url(int i) => $"{_baseUrl}/feed/{i}.xml";

        public static async Task<FeedServer> StartAsync(int count)
        {
            var items = Enumerable.Range(0, count).Select(i => new List<(string, string)> { ($"Opening story {i}", "Background.") }).ToArray();
            var builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            var app = builder.Build();
            app.MapGet("/feed/{name}", (HttpContext context, string name) =>
            {
                var list = items[int.Parse(name.Replace(".xml", ""), CultureInfo.InvariantCulture)];
                var etag = $"\"{list.Count}\"";
                context.Response.Headers.ETag = etag;
                if (context.Request.Headers.IfNoneMatch.ToString() == etag)
                    return Results.StatusCode(StatusCodes.Status304NotModified);
                var rss = new StringBuilder("<?xml version=\"1.0\"?><rss version=\"2.0\"><channel><title>Feed</title><link>https://news.example.org/</link>");
                for (var j = 0; j < list.Count; j++)
                    rss.Append($"<item><title>{list[j].Item1}</title><link>{context.Request.Scheme}://{context.Request.Host}/page/{name}/{j}</link><guid>{name}-{j}</guid><description>{list[j].Item2}</description></item>");
                return Results.Text(rss.Append("</channel></rss>").ToString(), "application/rss+xml");
            });
            // An article page the size of a real one: navigation and footer around a few paragraphs of story.
            var paragraph = "<p>" + string.Join(' ', Enumerable.Repeat("The council met on Tuesday to debate the cost of rebuilding the harbour walls.", 6)) + "</p>";
            var chrome = string.Concat(Enumerable.Range(0, 150).Select(k => $"<li><a href=\"/section/{k}\">Section {k}</a></li>"));
            app.MapGet("/page/{name}/{j}", (string name, string j) => Results.Content(
                $"<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>Story {name} {j}</title></head><body><nav><ul>{chrome}</ul></nav>"
                + $"<main><article><h1>Story {name} {j}</h1>{string.Concat(Enumerable.Repeat(paragraph, 8))}</article></main><footer><ul>{chrome}</ul></footer></body></html>",
                "text/html; charset=utf-8"));
            await app.StartAsync();
            return new FeedServer(app, items, app.Urls.First());
        }

        public void Publish(Func<int, (string Title, string Summary)> item)
        {
            for (var i = 0; i < _items.Length; i++)
                _items[i].Add(item(i));
        }

        public async ValueTask DisposeAsync() => await _app.DisposeAsync();
    }

    /// <summary>An SMTP server that accepts and counts every message.</summary>
    private sealed class SmtpSink : MessageStore
    {
        private int _received;

        public int Received => _received;

        public async Task<int> StartAsync()
        {
            var port = FreePort();
            var options = new SmtpServerOptionsBuilder().ServerName("localhost").Endpoint(b => b.Endpoint(new System.Net.IPEndPoint(System.Net.IPAddress.Loopback, port))).Build();
            var provider = new SmtpServer.ComponentModel.ServiceProvider();
            provider.Add(this);
            _ = new SmtpServer.SmtpServer(options, provider).StartAsync(CancellationToken.None);
            await Task.Delay(200);
            return port;
        }

        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            System.Buffers.ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _received);
            return Task.FromResult(SmtpResponse.Ok);
        }

        private static int FreePort()
        {
            using var listener = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
            listener.Start();
            return ((System.Net.IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
