using System.Diagnostics;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Benchmarks;

/// <summary>
/// Memory of one matching instance at N subscriptions: a cold load of the snapshot (plus its change log), then a
/// reconcile with a newer snapshot in which 1% of the queries changed. The matcher runs in a child process of its own,
/// so its peak RSS (the kernel's VmHWM) is not inflated by this process generating the queries from the corpus.
/// Mix: 30% instant, 10% restricted to sites, the rest daily digests (the provider keeps details only for the first two).
/// </summary>
public static class IndexMemoryBenchmark
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Option(string name) => args.SkipWhile(a => a != name).Skip(1).FirstOrDefault();
        var count = int.Parse(Option("--subscriptions") ?? "1000000", CultureInfo.InvariantCulture);
        if (Option("--matcher") is { } connectionString)
            return await MatcherAsync(connectionString, count);

        // The shared corpus sits beside the main checkout (../shared) or beside the worktrees' parent (../../shared).
        var corpus = Option("--corpus") ?? new[] { "..", Path.Combine("..", "..") }
            .Select(up => Path.GetFullPath(Path.Combine(LocalAzurite.RepositoryRoot(), up, "shared", "corpus", "reuters-21578.jsonl.gz")))
            .FirstOrDefault(File.Exists) ?? throw new InvalidOperationException("Corpus not found: pass --corpus PATH.");
        var generator = new QueryGenerator(Corpus.Load(corpus), int.Parse(Option("--seed") ?? "1", CultureInfo.InvariantCulture), dfWeighted: false);
        await using var azurite = await LocalAzurite.StartAsync();
        var storage = AlertsStorage.FromConnectionString(azurite.ConnectionString);
        await storage.EnsureCreatedAsync();
        var write = Stopwatch.StartNew();
        await new SubscriptionSnapshotStore(storage).SaveAsync(DateTimeOffset.UtcNow, Generate(generator, count));
        Console.Error.WriteLine($"snapshot of {count} subscriptions written in {write.Elapsed.TotalSeconds:F1} s");

        var self = Environment.ProcessPath!;
        var info = new ProcessStartInfo(self) { RedirectStandardOutput = true };
        if (Path.GetFileNameWithoutExtension(self) == "dotnet")
            info.ArgumentList.Add(typeof(IndexMemoryBenchmark).Assembly.Location);
        foreach (var a in new[] { "index-memory", "--subscriptions", count.ToString(CultureInfo.InvariantCulture), "--matcher", azurite.ConnectionString })
            info.ArgumentList.Add(a);
        using var child = Process.Start(info)!;
        var output = await child.StandardOutput.ReadToEndAsync();
        await child.WaitForExitAsync();
        if (child.ExitCode != 0)
            throw new InvalidOperationException($"the matcher process exited with {child.ExitCode}");
        Console.WriteLine(output.TrimEnd().Split('\n')[^1]);
        return 0;
    }

    private static async IAsyncEnumerable<SnapshotEntry> Generate(QueryGenerator generator, int count)
    {
        for (var i = 0; i < count; i++)
        {
            var frequency = i % 10 < 3 ? Frequency.Instant : Frequency.Daily;
            IReadOnlyList<string>? sites = i % 10 == 9 ? ["reuters.com", $"site{i % 97}.example"] : null;
            yield return new SnapshotEntry(SubscriptionStore.NewId(), generator.Next(), frequency, sites);
        }
        await Task.CompletedTask;
    }

    /// <summary>The matching instance: cold load, then a reconcile with a changed snapshot; prints the JSON line.</summary>
    private static async Task<int> MatcherAsync(string connectionString, int count)
    {
        var storage = AlertsStorage.FromConnectionString(connectionString);
        var options = Options.Create(new MatchingOptions());
        var snapshots = new SubscriptionSnapshotStore(storage);
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var provider = new SubscriptionIndexProvider(new SubscriptionStore(storage), new SubscriptionChangeLog(storage), snapshots,
            new SubscriptionSnapshotWriter(storage, new SubscriptionStore(storage), snapshots, new SubscriptionChangeLog(storage), options,
                Options.Create(new TokenOptions()), NullLogger<SubscriptionSnapshotWriter>.Instance),
            options, clock, NullLogger<SubscriptionIndexProvider>.Instance);

        long peakManaged = 0;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peakManaged = Math.Max(peakManaged, GC.GetTotalMemory(false));
                await Task.Delay(5);
            }
        });

        var load = Stopwatch.StartNew();
        await provider.RefreshAsync();
        load.Stop();
        var loaded = (await provider.GetAsync()).Index.Count;
        if (loaded != count)
            throw new InvalidOperationException($"loaded {loaded} of {count}");
        Console.Error.WriteLine($"cold load of {loaded} in {load.ElapsedMilliseconds} ms; RSS now {Environment.WorkingSet >> 20} MB");

        // The writer's next snapshot: 1% of the queries changed. Streamed from the current one, as the writer streams.
        var reader = (await snapshots.OpenAsync())!;
        using (reader)
            await snapshots.SaveAsync(DateTimeOffset.UtcNow, Changed(reader));
        clock.Advance(options.Value.SnapshotInterval);
        var reconcile = Stopwatch.StartNew();
        await provider.RefreshAsync();
        Console.Error.WriteLine($"reconcile in {reconcile.ElapsedMilliseconds} ms; {(await provider.GetAsync()).Index.Count} indexed");

        await sampling.CancelAsync();
        await sampler;
        var hwm = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        var peakRssKb = long.Parse(hwm["VmHWM:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
        Console.WriteLine(JsonSerializer.Serialize(new
        {
            subscriptions = loaded,
            peak_rss_mb = peakRssKb / 1024,
            peak_managed_mb = peakManaged >> 20,
            load_ms = load.ElapsedMilliseconds,
        }));
        return 0;
    }

    private static async IAsyncEnumerable<SnapshotEntry> Changed(SnapshotReader reader, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var i = 0;
        await foreach (var entry in reader.EntriesAsync(cancellationToken))
            yield return i++ % 100 == 0 ? entry with { Query = entry.Query + " OR tariff" } : entry;
    }
}
