using Alerts.Core.Matching;
using CsCheck;

namespace Alerts.Core.Tests.Matching;

/// <summary>
/// Properties over every form of the query language (<see cref="QueryGenerators"/>): the compiled index agrees with
/// the plain evaluator, hits included; what people type (aliases, typographic quotes) means what its plain
/// spelling means; and garbage with the same ingredients either parses to a canonical query or fails in plain words.
/// </summary>
public sealed class QueryLanguagePropertyTests
{
    [Fact]
    public void The_index_agrees_with_the_plain_evaluator_on_every_form_of_query_and_article()
    {
        int compared = 0, matched = 0;
        var batches = Gen.Select(QueryGenerators.Queries.Array[10, 30], QueryGenerators.Documents.Array[5, 10]);
        batches.Sample((typed, documents) =>
        {
            var index = new SubscriptionIndex();
            var queries = new Dictionary<string, Query>(StringComparer.Ordinal);
            for (var i = 0; i < typed.Length; i++)
            {
                if (QueryParser.TryParse(typed[i].Text, out _) is not { } query) continue;
                var id = $"q{i:D2}";
                index.Upsert(id, typed[i].Text);
                queries[id] = query;
            }
            foreach (var document in documents)
            {
                var analyzed = new AnalyzedDocument(document);
                var expected = queries
                    .Select(kv => (Id: kv.Key, Hits: QueryEvaluator.Evaluate(kv.Value, analyzed)))
                    .Where(x => x.Hits is not null)
                    .OrderBy(x => x.Id, StringComparer.Ordinal)
                    .ToArray();
                var actual = index.Match(document);
                Assert.Equal(expected.Select(x => x.Id), actual.Select(m => m.SubscriptionId));
                for (var k = 0; k < expected.Length; k++)
                    Assert.True(expected[k].Hits!.SequenceEqual(actual[k].Hits), $"hits differ for {queries[expected[k].Id]} on {document}");
                compared += queries.Count;
                matched += actual.Count;
            }
        }, iter: 300, threads: 1);
        // The generators must give a real mix of matches and misses, or the agreement proves little.
        Assert.InRange(matched, compared / 20, compared * 19 / 20);
    }

    [Fact]
    public void What_people_type_means_what_its_plain_spelling_means()
    {
        int parsed = 0, respelled = 0;
        QueryGenerators.Queries.Sample(q =>
        {
            if (q.Text != q.Plain) respelled++;
            var typed = QueryParser.TryParse(q.Text, out var typedError);
            var plain = QueryParser.TryParse(q.Plain, out var plainError);
            Assert.Equal(plainError is null, typedError is null);
            if (typed is null) return;
            Assert.Equal(plain!.ToString(), typed.ToString());
            // The canonical form parses back to itself.
            var canonical = typed.ToString();
            if (canonical.Length <= QueryParser.MaxLength) Assert.Equal(canonical, QueryParser.Parse(canonical).ToString());
            parsed++;
        }, iter: 3000, threads: 1);
        Assert.True(parsed > 2000, $"only {parsed} of 3000 generated queries parsed");
        Assert.True(respelled > 600, $"only {respelled} of 3000 generated queries use an alias or typographic quotes");
    }

    private static readonly string[] Pieces =
    [
        "AND", "OR", "NOT", "(", ")", "\"", "\u201C", "\u201D", "\u201E", "\u00AB", "\u00BB", "-", "*", "~3", "~", "title:",
        "intitle:", "inurl:", "site:", "body:", "e-mail", "A-level", "anti-terror*", "phon*", "abc", "x", " ", " ", ".", "&", "東京",
    ];

    [Fact]
    public void Garbage_of_the_same_ingredients_parses_canonically_or_fails_in_plain_words()
    {
        int parsed = 0, failed = 0;
        Gen.OneOf(Pieces).Array[0, 12].Select(p => string.Concat(p)).Sample(text =>
        {
            try
            {
                var canonical = QueryParser.Parse(text).ToString();
                if (canonical.Length <= QueryParser.MaxLength) Assert.Equal(canonical, QueryParser.Parse(canonical).ToString());
                parsed++;
            }
            catch (QueryParseException e)
            {
                Assert.InRange(e.Position, 0, text.Length);
                Assert.DoesNotContain("position", e.Message);
                Assert.EndsWith(".", e.Message);
                failed++;
            }
        }, iter: 5000, threads: 1);
        Assert.True(parsed > 500 && failed > 500, $"{parsed} parsed, {failed} failed");
    }
}
