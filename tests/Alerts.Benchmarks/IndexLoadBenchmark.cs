using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Alerts.Benchmarks;

/// <summary>
/// How long a new Function instance takes to get its subscription index, on Azurite: from the snapshot blob (plus
/// the change log) versus reading every subscription row. Queries are generated from the Reuters corpus.
///   dotnet run -c Release --project tests/Alerts.Benchmarks -- index-load --corpus ../shared/corpus/reuters-21578.jsonl.gz --subscriptions 100000 [--snapshot-only]
/// </summary>
public static class IndexLoadBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var corpus = Option("--corpus") ?? Path.Combine(LocalAzurite.RepositoryRoot(), "..", "shared", "corpus", "reuters-21578.jsonl.gz");
        var count = int.Parse(Option("--subscriptions") ?? "100000", CultureInfo.InvariantCulture);
        var seed = int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture);

        var generator = new QueryGenerator(Corpus.Load(corpus), seed, dfWeighted: false);
        await using var azurite = await LocalAzurite.StartAsync();
        var counter = new StorageTransactionCounter();
        var storage = AlertsStorage.FromConnectionString(azurite.ConnectionString, counter);
        await storage.EnsureCreatedAsync();

        var queries = Enumerable.Range(0, count).Select(_ => generator.Next()).ToArray();
        if (args.Contains("--snapshot-only"))
            return await SnapshotOnlyAsync(storage, counter, queries);

        var write = Stopwatch.StartNew();
        var store = new SubscriptionStore(storage);
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (i, ct) =>
            await store.AddAsync(new Subscription(SubscriptionStore.NewId(), $"reader{i}@example.org", queries[i],
                Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow), ct));
        Console.Error.WriteLine($"wrote {count} subscriptions in {write.Elapsed.TotalSeconds:F1} s");

        // The first instance finds no snapshot: it reads the table and writes one.
        counter.Reset();
        var fromTable = Stopwatch.StartNew();
        var first = Provider(storage);
        await first.RefreshAsync();
        fromTable.Stop();
        var tableTransactions = counter.Total;
        var indexed = (await first.GetAsync()).Index.Count;

        // Every later cold start loads the snapshot and the last minutes of the change log.
        counter.Reset();
        var fromSnapshot = Stopwatch.StartNew();
        var cold = Provider(storage);
        await cold.RefreshAsync();
        fromSnapshot.Stop();
        var snapshotTransactions = counter.Total;
        if ((await cold.GetAsync()).Index.Count != indexed)
            throw new InvalidOperationException("The snapshot load and the table read disagree.");

        Console.WriteLine(JsonSerializer.Serialize(new
        {
            subscriptions = indexed,
            cold_load_from_table_ms = Math.Round(fromTable.Elapsed.TotalMilliseconds),
            cold_load_from_table_transactions = tableTransactions,
            cold_load_from_snapshot_ms = Math.Round(fromSnapshot.Elapsed.TotalMilliseconds),
            cold_load_from_snapshot_transactions = snapshotTransactions,
        }));
        return 0;
    }

    /// <summary>
    /// The steady-state cold start alone: the snapshot blob another instance wrote, plus an empty change log.
    /// (Azurite's in-memory table store takes many minutes to take and scan 100,000 rows, so this path writes the
    /// snapshot directly instead of reading the table first.)
    /// </summary>
    private static async Task<int> SnapshotOnlyAsync(AlertsStorage storage, StorageTransactionCounter counter, string[] queries)
    {
        var now = DateTimeOffset.UtcNow;
        var subscriptions = queries.Select(q => new SnapshotEntry(SubscriptionStore.NewId(), q, Frequency.Daily, null)).ToList();
        await new SubscriptionSnapshotStore(storage).SaveAsync(now, subscriptions.ToAsyncEnumerable());

        counter.Reset();
        var cold = Stopwatch.StartNew();
        var provider = Provider(storage);
        await provider.RefreshAsync();
        cold.Stop();
        var indexed = (await provider.GetAsync()).Index.Count;
        if (indexed != subscriptions.Count)
            throw new InvalidOperationException($"Loaded {indexed} of {subscriptions.Count} subscriptions.");
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            subscriptions = indexed,
            cold_load_from_snapshot_ms = Math.Round(cold.Elapsed.TotalMilliseconds),
            cold_load_from_snapshot_transactions = counter.Total,
        }));
        return 0;
    }

    private static SubscriptionIndexProvider Provider(AlertsStorage storage) => new(
        new SubscriptionStore(storage), new SubscriptionChangeLog(storage), new SubscriptionSnapshotStore(storage),
        new SubscriptionSnapshotWriter(storage, new SubscriptionStore(storage), new SubscriptionSnapshotStore(storage),
            new SubscriptionChangeLog(storage), Options.Create(new MatchingOptions()), Options.Create(new TokenOptions()), NullLogger<SubscriptionSnapshotWriter>.Instance),
        Options.Create(new MatchingOptions()), TimeProvider.System, NullLogger<SubscriptionIndexProvider>.Instance);
}
