using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Alerts.Core.Matching;

namespace Alerts.Benchmarks;

/// <summary>
/// `match`: builds a <see cref="SubscriptionIndex"/> of N generated subscriptions and measures it on the corpus,
/// then runs the naive loop (every query tree on every article) and Lucene.Net MemoryIndex on a sample of the
/// same articles and compares match sets. The last output line is one JSON object.
/// </summary>
internal static class MatchBenchmark
{
    private static readonly string[] Sites = ["https://www.reuters.com/", "uk.reuters.com", "www.bbc.co.uk", "www.ft.com", "news.yahoo.com", "www.wsj.com"];

    public static int Run(string[] args)
    {
        var options = Options.Parse(args);
        if (options is null) return 2;
        var (corpusPath, subscriptions, articleLimit, seed, peerLimit, _, _) = options;

        var sw = Stopwatch.StartNew();
        var corpus = Corpus.Load(corpusPath);
        var articles = corpus.Take(articleLimit ?? corpus.Count).ToList();
        var documents = articles.Select((a, i) => new MatchDocument(a.Title, a.Body, Sites[i % Sites.Length])).ToArray();
        Console.WriteLine($"corpus: {corpus.Count} articles loaded in {sw.ElapsedMilliseconds} ms; using {documents.Length}");

        sw.Restart();
        var generator = new QueryGenerator(corpus, seed, options.WordSampling == "df");
        var queries = new string[subscriptions];
        for (var i = 0; i < subscriptions; i++) queries[i] = generator.Next();
        Console.WriteLine($"generated {subscriptions} queries in {sw.ElapsedMilliseconds} ms, e.g.: {string.Join(" | ", queries.Take(8))}");

        // Index build and its heap footprint (ids are created here so they count: the index keeps them).
        var before = HeapBytes();
        sw.Restart();
        var index = new SubscriptionIndex();
        for (var i = 0; i < subscriptions; i++) index.Upsert(Id(i), queries[i]);
        var buildMs = sw.Elapsed.TotalMilliseconds;
        var indexBytes = HeapBytes() - before;
        Console.WriteLine($"engine: built in {buildMs:F0} ms, {indexBytes:N0} bytes ({(double)indexBytes / subscriptions:F1} bytes/subscription)");

        // Engine: one thread, all articles, after a warm-up; best of --passes passes (default 3: the machine is shared).
        foreach (var d in documents.Take(200)) index.Match(d);
        var perArticle = new long[documents.Length];
        var best = new long[documents.Length];
        long totalMatches = 0;
        var engineSeconds = double.MaxValue;
        var engineCpuSeconds = double.MaxValue;
        var allocatedPerArticle = 0.0;
        for (var pass = 0; pass < options.Passes; pass++)
        {
            totalMatches = 0;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var cpuBefore = CpuSeconds();
            var total = Stopwatch.StartNew();
            for (var i = 0; i < documents.Length; i++)
            {
                var start = Stopwatch.GetTimestamp();
                totalMatches += index.Match(documents[i]).Count;
                perArticle[i] = Stopwatch.GetTimestamp() - start;
            }
            total.Stop();
            engineCpuSeconds = Math.Min(engineCpuSeconds, CpuSeconds() - cpuBefore);
            allocatedPerArticle = (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore) / (double)documents.Length;
            if (total.Elapsed.TotalSeconds < engineSeconds)
            {
                engineSeconds = total.Elapsed.TotalSeconds;
                Array.Copy(perArticle, best, best.Length);
            }
        }
        var engineRate = documents.Length / engineSeconds;
        var engineCpuRate = documents.Length / engineCpuSeconds;
        Array.Sort(best);
        var p99Us = best[(int)Math.Min(best.Length - 1, Math.Ceiling(best.Length * 0.99) - 1)] * 1e6 / Stopwatch.Frequency;
        Console.WriteLine($"engine: {engineRate:F0} articles/s, p99 {p99Us:F1} us, {allocatedPerArticle:F0} bytes allocated/article, {(double)totalMatches / documents.Length:F1} matches/article");

        var candidateWatch = Stopwatch.StartNew();
        var counts = documents.Select(d => index.Probe(d, stages: 2)).ToArray();
        var decided = counts.Average(c => (double)c.Decided);
        var verified = counts.Average(c => (double)c.Verified);
        Console.WriteLine($"engine: per article {decided:F1} queries matched from their posting alone and {verified:F1} candidates verified by their program; analysis and postings alone {documents.Length / candidateWatch.Elapsed.TotalSeconds:F0} articles/s");
        // Where the time goes: the first stages alone, per CPU second (best of three passes each).
        for (var stages = 1; stages <= 3; stages++)
        {
            var stageCpu = double.MaxValue;
            for (var pass = 0; pass < 3; pass++)
            {
                var cpu0 = CpuSeconds();
                foreach (var d in documents) index.Probe(d, stages);
                stageCpu = Math.Min(stageCpu, CpuSeconds() - cpu0);
            }
            Console.WriteLine($"engine stages 1..{stages} ({(stages == 1 ? "analysis" : stages == 2 ? "+ candidates" : "+ verification, no results")}): {stageCpu * 1e6 / documents.Length:F1} us CPU/article");
        }
        Console.WriteLine($"engine full match: {engineCpuSeconds * 1e6 / documents.Length:F1} us CPU/article");
        if (Environment.GetEnvironmentVariable("MATCH_ENGINE_ONLY") == "1") return 0;

        // Peers on a seeded sample of the same articles.
        var sampleSize = Math.Min(documents.Length, peerLimit ?? Math.Clamp(1_000_000 / subscriptions, 2, 200));
        var sample = documents.Select((d, i) => (d, key: new Random(seed + i).Next())).OrderBy(x => x.key).Take(sampleSize).Select(x => x.d).ToArray();
        var engineSample = sample.Select(d => index.Match(d)).ToArray();

        var parsed = queries.Select(QueryParser.Parse).ToArray();
        var naiveAgree = true;
        var naiveCpu = CpuSeconds();
        var naiveWatch = Stopwatch.StartNew();
        for (var a = 0; a < sample.Length; a++)
        {
            var analyzed = new AnalyzedDocument(sample[a]);
            var expected = engineSample[a];
            var k = 0;
            for (var i = 0; i < parsed.Length; i++)
            {
                if (QueryEvaluator.Evaluate(parsed[i], analyzed) is not { } hits) continue;
                // Ids are generated in ordinal order, so the naive loop yields them sorted like the engine.
                if (k >= expected.Count || expected[k].SubscriptionId != Id(i) || !expected[k].Hits.SequenceEqual(hits)) naiveAgree = false;
                k++;
            }
            if (k != expected.Count) naiveAgree = false;
        }
        naiveWatch.Stop();
        var naiveCpuRate = sample.Length / (CpuSeconds() - naiveCpu);
        var naiveRate = sample.Length / naiveWatch.Elapsed.TotalSeconds;
        Console.WriteLine($"naive: {naiveRate:F2} articles/s on {sample.Length} articles, agrees exactly: {naiveAgree}");

        var lucene = new LuceneMatcher(parsed);
        long both = 0, either = 0;
        var luceneCpu = CpuSeconds();
        var luceneWatch = Stopwatch.StartNew();
        var luceneResults = new List<int>[sample.Length];
        for (var a = 0; a < sample.Length; a++) luceneResults[a] = lucene.Match(sample[a]);
        luceneWatch.Stop();
        var luceneCpuRate = sample.Length / (CpuSeconds() - luceneCpu);
        for (var a = 0; a < sample.Length; a++)
        {
            var engineIds = engineSample[a].Select(m => m.SubscriptionId).ToHashSet(StringComparer.Ordinal);
            var luceneIds = luceneResults[a].Select(Id).ToHashSet(StringComparer.Ordinal);
            both += engineIds.Count(luceneIds.Contains);
            either += engineIds.Union(luceneIds).Count();
        }
        var luceneRate = sample.Length / luceneWatch.Elapsed.TotalSeconds;
        // Agreement: matched (article, subscription) pairs both found / pairs either found.
        var agreement = either == 0 ? 1.0 : (double)both / either;
        Console.WriteLine($"lucene: {luceneRate:F2} articles/s on {sample.Length} articles, agreement {agreement:F4} ({both} of {either} matched pairs)");
        Console.WriteLine($"speed-up: {engineRate / naiveRate:F0}x naive, {engineRate / luceneRate:F0}x lucene");
        // The machine may be shared: rates per second of this process's CPU time are the steadier numbers.
        Console.WriteLine($"per CPU second: engine {engineCpuRate:F0}, naive {naiveCpuRate:F2}, lucene {luceneCpuRate:F3} articles");
        GC.KeepAlive(index);

        var result = new Dictionary<string, object>
        {
            ["subscriptions"] = subscriptions,
            ["articles"] = documents.Length,
            ["engine_articles_per_sec"] = Math.Round(engineRate, 1),
            ["naive_articles_per_sec"] = Math.Round(naiveRate, 3),
            ["lucene_articles_per_sec"] = Math.Round(luceneRate, 3),
            ["naive_agree"] = naiveAgree,
            ["lucene_agreement"] = Math.Round(agreement, 4),
            ["index_build_ms"] = Math.Round(buildMs, 0),
            ["index_bytes"] = indexBytes,
            ["allocated_bytes_per_article"] = Math.Round(allocatedPerArticle, 0),
            ["p99_article_us"] = Math.Round(p99Us, 1),
            ["peer_articles"] = sample.Length,
            ["matches_per_article"] = Math.Round((double)totalMatches / documents.Length, 2),
            ["engine_articles_per_cpu_sec"] = Math.Round(engineCpuRate, 1),
            ["naive_articles_per_cpu_sec"] = Math.Round(naiveCpuRate, 3),
            ["lucene_articles_per_cpu_sec"] = Math.Round(luceneCpuRate, 3),
        };
        Console.WriteLine(JsonSerializer.Serialize(result));
        return naiveAgree ? 0 : 1;
    }

    private static double CpuSeconds() => Process.GetCurrentProcess().TotalProcessorTime.TotalSeconds;

    private static string Id(int i) => "sub-" + i.ToString("D7", CultureInfo.InvariantCulture);

    private static long HeapBytes()
    {
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetTotalMemory(forceFullCollection: true);
    }

    private sealed record Options(string Corpus, int Subscriptions, int? Articles, int Seed, int? PeerArticles, string WordSampling, int Passes)
    {
        public static Options? Parse(string[] args)
        {
            string? corpus = null;
            int? subscriptions = null, articles = null, peers = null;
            var seed = 1;
            var sampling = "band";
            var passes = 3;
            for (var i = 0; i + 1 < args.Length; i += 2)
            {
                var value = args[i + 1];
                switch (args[i])
                {
                    case "--corpus": corpus = value; break;
                    case "--subscriptions": subscriptions = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--articles": articles = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--seed": seed = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--peer-articles": peers = int.Parse(value, CultureInfo.InvariantCulture); break;
                    case "--word-sampling": sampling = value; break;
                    case "--passes": passes = int.Parse(value, CultureInfo.InvariantCulture); break;
                    default: Console.Error.WriteLine($"unknown option {args[i]}"); return null;
                }
            }
            if (corpus is null || subscriptions is not > 0 || passes is not > 0 || args.Length % 2 != 0)
            {
                Console.Error.WriteLine("usage: match --corpus PATH --subscriptions N [--articles M] [--seed S] [--peer-articles K] [--word-sampling band|df] [--passes P]");
                return null;
            }
            return new Options(corpus, subscriptions.Value, articles, seed, peers, sampling, passes);
        }
    }
}
