using System.Globalization;
using System.Text.Json;
using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Alerts.Benchmarks;

/// <summary>
/// Storage transactions per digest-scheduling tick, per subscribe request and per manage page, at growing numbers of
/// subscriptions with the same number due (100 daily digests at 09:00 UTC; everyone else weekly, on Sundays, which the
/// run never reaches). They should not
/// grow with N. Past <c>--subscription-rows</c> (10,000) the never-due subscriptions are index rows only (see RunAsync). Real handlers on Azurite; the confirmation email goes to a sink that only counts it.
/// </summary>
public static class ScheduleBenchmark
{
    private const int Due = 100;

    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var sizes = (Option("--n") ?? "1000,10000,100000").Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture)).ToArray();
        // Azurite's table store finds an entity by its RowKey index first and then scans for the PartitionKey; every
        // subscription row has RowKey "subscription", so each insert scans every row before it and 100,000 rows take
        // hours (the first attempt did not finish in 25 minutes). Past this many, the never-due subscriptions get only
        // their DigestDue row (the one thing of theirs the tick's range query could touch); none of the three measured
        // operations reads another subscription's row, which keeps 100,000 within minutes. --subscription-rows N
        // raises the cap.
        var rowCap = int.Parse(Option("--subscription-rows") ?? "10000", CultureInfo.InvariantCulture);

        await using var azurite = await LocalAzurite.StartAsync();
        var counter = new StorageTransactionCounter();
        var storage = AlertsStorage.FromConnectionString(azurite.ConnectionString, counter);
        await storage.EnsureCreatedAsync();
        var store = new SubscriptionStore(storage);
        var index = new DigestDueIndex(storage);
        var day0 = new DateTimeOffset(2026, 3, 2, 0, 0, 0, TimeSpan.Zero);
        var time = new FakeTimeProvider(day0);
        var scheduler = new DigestScheduler(store, new DigestStore(storage), storage, time, NullLogger<DigestScheduler>.Instance);
        var site = Options.Create(new SiteOptions { PublicBaseUrl = "https://alerts.example.org", Name = "Alerts" });
        var links = new SubscriptionLinks(new SubscriptionTokens(
            Options.Create(new TokenOptions { SigningKey = "benchmark-signing-key-that-is-long-enough-0123456789" }), time), site);
        var sink = new CountingSink();
        // The shared (storage-backed) rate limiter is part of what a subscribe request costs.
        var limiter = new SubscribeRateLimiter(storage, Options.Create(new SubscribeLimitOptions { PerAddressPerDay = 1000 }),
            Options.Create(new FrontEndOptions()), Options.Create(new TokenOptions { SigningKey = "benchmark-signing-key-that-is-long-enough-0123456789" }),
            time, NullLogger<SubscribeRateLimiter>.Instance);
        var writer = new EmailWriter(new Alerts.Core.Web.ComponentRenderer(new ServiceCollection().BuildServiceProvider(), NullLoggerFactory.Instance),
            Options.Create(new SmtpOptions { FromAddress = "alerts@alerts.example.org" }));
        var subscribe = new SubscribeHandler(store, links, sink, site, writer,
            limiter, time, NullLogger<SubscribeHandler>.Instance, new DigestStore(storage));
        var manage = new ManageHandler(store, new DigestStore(storage), new Alerts.Core.Matching.MatchStore(storage), links, storage, sink, site,
            writer, limiter, time, NullLogger<ManageHandler>.Instance);

        var written = 0;
        var anchor = "";
        var tick = new List<long>();
        var subscribeCost = new List<long>();
        var manageCost = new List<long>();
        for (var step = 0; step < sizes.Length; step++)
        {
            var n = sizes[step];
            // Grow to n: the first Due subscriptions are daily at 09:00, written through SubscriptionStore (filed unplaced)
            // and then placed at their minute, as earlier ticks would have done. The rest are weekly on Sunday, which this
            // run never reaches: to keep a 100,000 run within minutes on Azurite their rows are written directly (the
            // subscription row and its DigestDue row in the Sunday partition, in batches of 100), without the change-log
            // row, which none of the three measured operations reads.
            var from = written;
            var sunday = DigestDueIndex.Minute(DigestDueIndex.NextDueAt(
                new Subscription("x", "", "", Frequency.Weekly, SubscriptionStatus.Active, day0, DigestHour: 18, DigestDay: DayOfWeek.Sunday), day0));
            var bulk = Math.Max(from, Due);
            await Parallel.ForAsync(bulk, Math.Max(bulk, Math.Min(n, rowCap)), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
                await storage.Table(TableNames.Subscriptions).AddEntityAsync(new Azure.Data.Tables.TableEntity(Id(i), "subscription")
                {
                    ["Email"] = $"reader{i}@example.org", ["Query"] = $"topic{i % 500}", ["Frequency"] = "Weekly", ["Status"] = "Active",
                    ["CreatedAt"] = day0, ["TimeZone"] = "UTC", ["DigestHour"] = 18, ["DigestDay"] = "Sunday",
                }, ct));
            var due = storage.Table(TableNames.DigestDue);
            await Parallel.ForEachAsync(Enumerable.Range(bulk, Math.Max(0, n - bulk)).Chunk(100), new ParallelOptions { MaxDegreeOfParallelism = 16 },
                async (chunk, ct) => await due.SubmitTransactionAsync(chunk.Select(i => new Azure.Data.Tables.TableTransactionAction(
                    Azure.Data.Tables.TableTransactionActionType.UpsertReplace, new Azure.Data.Tables.TableEntity(sunday, Id(i)))), ct));
            await Parallel.ForAsync(from, Math.Min(n, Due), new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            {
                var s = new Subscription(Id(i), $"reader{i}@example.org", $"topic{i % 500}",
                    Frequency.Daily, SubscriptionStatus.Active, day0, day0, "UTC", 9);
                await store.AddAsync(s, ct);
                var dueAt = DigestSchedule.Current(s, day0.AddDays(step))!.DueAt;
                await index.PlaceAsync(s.Id, DigestDueIndex.Minute(dueAt), ct);
                await index.RemoveAsync(s.Id, DigestDueIndex.Unplaced, ct);
                if (i == 0)
                    anchor = s.Id;
            });
            written = n;

            // One tick at 09:00:30 on day `step`: the Due subscriptions are queued and move to the next day.
            time.SetUtcNow(day0.AddDays(step).AddHours(9).AddSeconds(30));
            counter.Reset();
            var queued = await scheduler.HandleAsync();
            tick.Add(counter.Total);
            var dueRows = 0;
            await foreach (var _ in due.QueryAsync<Azure.Data.Tables.TableEntity>(select: ["RowKey"]))
                dueRows++;
            Console.Error.WriteLine($"N={n}: {dueRows} DigestDue rows, {Math.Min(n, Math.Max(rowCap, Due))} subscription rows");
            if (queued != Due)
                throw new InvalidOperationException($"expected {Due} digests queued at N={n}, got {queued}");
            await DrainAsync(storage);

            // A subscribe request from a new address, and the manage page of an address with one subscription.
            counter.Reset();
            await subscribe.SubscribeAsync(new SubscribeRequest($"new{step}@example.org", "DACA", "daily"));
            subscribeCost.Add(counter.Total);
            counter.Reset();
            if (await manage.OpenAsync(links.Tokens.Create(anchor, TokenPurpose.Manage)) is null)
                throw new InvalidOperationException("the manage link did not open");
            manageCost.Add(counter.Total);
            Console.Error.WriteLine($"N={n}: tick {tick[^1]} (queued {queued}), subscribe {subscribeCost[^1]}, manage page {manageCost[^1]} transactions");
        }

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            n = sizes,
            tick_transactions = tick,
            subscribe_transactions = subscribeCost,
            manage_page_transactions = manageCost,
        }));
        return 0;
    }

    private static string Id(int i) => $"{i:x32}";

    private static async Task DrainAsync(AlertsStorage storage)
    {
        var queue = storage.Queue(QueueNames.DigestSend);
        while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
            foreach (var m in batch)
                await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
    }

    /// <summary>The confirmation email's destination in this benchmark: counted, not sent (SMTP is not what is measured).</summary>
    private sealed class CountingSink : IEmailSender
    {
        public int Sent;

        public Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref Sent);
            return Task.CompletedTask;
        }
    }
}
