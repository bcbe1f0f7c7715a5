using System.Text;
using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Matching;

public class SubscriptionIndexTests
{
    private static readonly MatchDocument Doc = new("Judge rules on DACA's future", "The sanctuary city policy and immigration reform", "https://www.reuters.com/x");

    [Fact]
    public void Upsert_replace_remove_and_count()
    {
        var index = new SubscriptionIndex();
        index.Upsert("b", "daca");
        index.Upsert("a", "immigra*");
        index.Upsert("c", "sports");
        Assert.Equal(3, index.Count);
        Assert.Equal(["a", "b"], index.Match(Doc).Select(m => m.SubscriptionId));
        index.Upsert("c", "\"sanctuary city\"");
        Assert.Equal(3, index.Count);
        Assert.Equal(["a", "b", "c"], index.Match(Doc).Select(m => m.SubscriptionId));
        Assert.True(index.Remove("a"));
        Assert.False(index.Remove("a"));
        Assert.False(index.Remove("zzz"));
        Assert.Equal(2, index.Count);
        Assert.Equal(["b", "c"], index.Match(Doc).Select(m => m.SubscriptionId));
        index.Upsert("b", "baseball");
        Assert.Equal(["c"], index.Match(Doc).Select(m => m.SubscriptionId));
    }

    [Fact]
    public void Bad_query_throws_and_keeps_the_old_one()
    {
        var index = new SubscriptionIndex();
        index.Upsert("a", "daca");
        Assert.Throws<QueryParseException>(() => index.Upsert("a", "(daca"));
        Assert.Single(index.Match(Doc));
    }

    [Fact]
    public void Negative_and_site_queries_and_hits()
    {
        var index = new SubscriptionIndex();
        index.Upsert("neg", "-sports");
        index.Upsert("neg2", "NOT daca");
        index.Upsert("site", "site:reuters.com");
        index.Upsert("mixed", "title:daca site:www.reuters.com -site:bbc.co.uk");
        var matches = index.Match(Doc);
        Assert.Equal(["mixed", "neg", "site"], matches.Select(m => m.SubscriptionId));
        Assert.Equal([new Hit(DocumentField.Title, 15, 4), new Hit(DocumentField.Site, 8, 15)], matches[0].Hits);
        Assert.Empty(matches[1].Hits);
        Assert.Equal(QueryEvaluator.Evaluate(QueryParser.Parse("title:daca site:www.reuters.com"), Doc), matches[0].Hits);
    }

    [Theory]
    [InlineData("\"sanctuary city\" OR daca", true)]
    [InlineData("(daca OR \"sanctuary city\") -sports", true)]
    [InlineData("(daca OR \"sanctuary city\") -policy", false)]
    [InlineData("NOT policy AND (daca OR immigration)", false)]
    [InlineData("title:daca OR title:policy", true)]
    [InlineData("title:policy", false)]
    [InlineData("\"city sanctuary\" OR \"city policy\"", true)]
    [InlineData("immigra* reform", true)]
    [InlineData("\"sanctuary city policy\" OR title:rules", true)]
    public void Queries_decided_from_their_postings_match_and_highlight_like_the_evaluator(string query, bool matches)
    {
        // ORs are indexed branch by branch, "X -k" as X's branches vetoed by k, and one-key, two-key and two-word
        // phrase branches are decided without their program: results and hits must still be the evaluator's.
        var index = new SubscriptionIndex();
        index.Upsert("q", query);
        index.Upsert("other", "sports");
        var result = index.Match(Doc);
        var expected = QueryEvaluator.Evaluate(QueryParser.Parse(query), Doc);
        Assert.Equal(matches, expected is not null);
        if (!matches) Assert.Empty(result);
        else Assert.Equal(expected, Assert.Single(result).Hits);
    }

    [Fact]
    public async Task Concurrent_matching_while_writing()
    {
        var index = new SubscriptionIndex();
        for (var i = 0; i < 1000; i++) index.Upsert($"s{i:D4}", i % 2 == 0 ? "daca" : "sports");
        var errors = 0;
        var readers = Enumerable.Range(0, 4).Select(_ => Task.Run(() =>
        {
            for (var k = 0; k < 200; k++)
            {
                var ids = index.Match(Doc).Select(m => m.SubscriptionId).ToArray();
                if (!ids.SequenceEqual(ids.Order(StringComparer.Ordinal))) Interlocked.Increment(ref errors);
                if (ids.Any(id => int.Parse(id[1..]) % 2 == 1 && int.Parse(id[1..]) < 1000)) Interlocked.Increment(ref errors);
            }
        })).ToArray();
        for (var i = 1000; i < 3000; i++) index.Upsert($"s{i:D4}", "daca OR x" + i);
        await Task.WhenAll(readers);
        Assert.Equal(0, errors);
        Assert.Equal(2500, index.Match(Doc).Count);
    }

    // ---- differential property test ----

    private static readonly string[] Words =
    [
        "alpha", "beta", "gamma", "delta", "epsilon", "zeta", "theta", "kappa", "istanbul", "strasse", "cafe",
        "immigration", "immigrant", "immigrate", "sanctuary", "city", "and", "or", "s", "daca", "東", "京", "都",
        // 16 characters (the longest kept packed in the key table) and longer (kept as text).
        "overcompensation", "counterrevolutionary", "counterrevolution",
    ];

    private static readonly Dictionary<string, string[]> Variants = new()
    {
        ["istanbul"] = ["İstanbul", "ISTANBUL", "ıstanbul"],
        ["strasse"] = ["Straße", "STRASSE"],
        ["cafe"] = ["Café", "CAFÉ"],
        ["immigration"] = ["Immigration", "IMMIGRATION"],
        ["daca"] = ["DACA's", "(DACA)", "DACAL"],
    };

    private static readonly string[] Domains = ["reuters.com", "www.reuters.com", "bbc.co.uk", "co.uk", "example.org"];
    private static readonly string[] Sites = ["https://www.reuters.com/world", "news.bbc.co.uk", "example.org", "", "reuters.com"];

    private static string Word(Random r) => Words[r.Next(Words.Length)];

    private static string Phrase(Random r)
    {
        var n = r.Next(2, 4);
        // Now and then a word of the phrase is a prefix ("mobile phon*").
        var text = "\"" + string.Join(' ', Enumerable.Range(0, n).Select(_ =>
        {
            var w = Word(r);
            return w.Length >= 4 && r.Next(5) == 0 ? w[..r.Next(3, w.Length)] + "*" : w;
        })) + "\"";
        return r.Next(3) == 0 ? text + "~" + r.Next(n - 1, n + 4) : text;
    }

    private static string RandomQuery(Random r, int depth)
    {
        switch (r.Next(depth >= 3 ? 7 : 11))
        {
            case 0: case 1: return Word(r);
            case 2: return r.Next(3) == 0 ? Word(r) + "-" + Word(r) : Word(r); // hyphenated: one joined word
            case 3:
            {
                var w = Words.Where(x => x.Length >= 4).ElementAt(r.Next(10));
                return w[..r.Next(3, w.Length + 1)] + "*";
            }
            case 4: return Phrase(r);
            case 5: return "site:" + Domains[r.Next(Domains.Length)];
            case 6:
                var field = r.Next(2) == 0 ? "title:" : "body:";
                return field + (r.Next(3) switch { 0 => Word(r), 1 => Phrase(r), _ => "(" + RandomQuery(r, depth + 1) + " OR " + RandomQuery(r, depth + 1) + ")" });
            case 7: return "(" + RandomQuery(r, depth + 1) + " OR " + RandomQuery(r, depth + 1) + ")";
            case 8: return "(" + RandomQuery(r, depth + 1) + (r.Next(2) == 0 ? " " : " AND ") + RandomQuery(r, depth + 1) + ")";
            case 9: return "-" + RandomQuery(r, depth + 2);
            default: return "NOT " + RandomQuery(r, depth + 2);
        }
    }

    private static string RandomText(Random r, int maxWords)
    {
        var sb = new StringBuilder();
        var n = r.Next(0, maxWords);
        for (var i = 0; i < n; i++)
        {
            var w = Word(r);
            if (Variants.TryGetValue(w, out var variants) && r.Next(2) == 0) w = variants[r.Next(variants.Length)];
            else if (r.Next(4) == 0) w = w.ToUpperInvariant();
            // Sentence and paragraph breaks too: both engines must agree that phrases stop at them.
            sb.Append(w).Append(r.Next(8) switch { 0 => ", ", 1 => ". ", 2 => "-", 3 => "\n\n", 4 => "? ", _ => " " });
            if (r.Next(8) == 0) sb.Append("immigra").Append(r.Next(3) == 0 ? "tion " : "nts ");
        }
        return sb.ToString();
    }

    [Fact]
    public void Replacing_most_subscriptions_compacts_the_programs_and_keeps_matching()
    {
        var index = new SubscriptionIndex();
        for (var i = 0; i < 2000; i++) index.Upsert($"s{i:D4}", i % 2 == 0 ? "\"sanctuary city\" OR sports" : "daca AND -sports");
        for (var i = 0; i < 1900; i++) Assert.True(index.Remove($"s{i:D4}"));
        // Re-adding after mass removal compacts the program arena (more than half of it is holes).
        for (var i = 0; i < 1000; i++) index.Upsert($"t{i:D4}", i % 2 == 0 ? "immigra* title:daca" : "policy -future");
        var ids = index.Match(Doc).Select(m => m.SubscriptionId).ToArray();
        Assert.Equal(600, ids.Length);
        Assert.Equal(Enumerable.Range(1900, 100).Select(i => $"s{i:D4}").Concat(Enumerable.Range(0, 1000).Where(i => i % 2 == 0).Select(i => $"t{i:D4}")), ids);
    }

    /// <param name="idsInOrder">Ids ascending with insertion (results need no sort by id) or random.</param>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Index_agrees_with_the_plain_evaluator_under_churn(bool idsInOrder)
    {
        var r = new Random(42);
        var index = new SubscriptionIndex();
        var queries = new Dictionary<string, Query>(StringComparer.Ordinal);
        var nextId = 0;
        string NewId() => idsInOrder ? $"q{nextId++:D6}" : $"q{r.Next(100_000):D5}";

        void UpsertRandom(string id)
        {
            while (true)
            {
                var text = RandomQuery(r, 0);
                Query parsed;
                try { parsed = QueryParser.Parse(text); }
                catch (QueryParseException) { continue; }
                index.Upsert(id, text);
                queries[id] = parsed;
                return;
            }
        }

        for (var i = 0; i < 400; i++) UpsertRandom(NewId());
        int documents = 0, matches = 0, hitsCompared = 0;
        for (var round = 0; round < 30; round++)
        {
            for (var d = 0; d < 100; d++)
            {
                var doc = new MatchDocument(RandomText(r, 8), RandomText(r, 40), Sites[r.Next(Sites.Length)]);
                var analyzed = new AnalyzedDocument(doc);
                var expected = queries
                    .Select(kv => (Id: kv.Key, Hits: QueryEvaluator.Evaluate(kv.Value, analyzed)))
                    .Where(x => x.Hits is not null)
                    .OrderBy(x => x.Id, StringComparer.Ordinal)
                    .ToArray();
                var actual = index.Match(doc);
                Assert.Equal(expected.Select(x => x.Id), actual.Select(m => m.SubscriptionId));
                for (var k = 0; k < expected.Length; k++)
                {
                    Assert.True(expected[k].Hits!.SequenceEqual(actual[k].Hits),
                        $"hits differ for {queries[expected[k].Id]} on {doc}");
                    hitsCompared += expected[k].Hits!.Count;
                }
                documents++;
                matches += actual.Count;
            }
            // Churn: remove some, replace some, add some.
            foreach (var id in queries.Keys.OrderBy(_ => r.Next()).Take(40).ToArray())
            {
                Assert.True(index.Remove(id));
                queries.Remove(id);
            }
            foreach (var id in queries.Keys.OrderBy(_ => r.Next()).Take(40).ToArray()) UpsertRandom(id);
            for (var i = 0; i < 40; i++) UpsertRandom(NewId());
            Assert.Equal(queries.Count, index.Count);
        }
        Assert.Equal(3000, documents);
        // The generator must produce a real mix, otherwise the comparison proves little.
        Assert.InRange(matches, documents * 20, documents * 300);
        Assert.True(hitsCompared > 10_000, $"only {hitsCompared} hits compared");
    }
}
