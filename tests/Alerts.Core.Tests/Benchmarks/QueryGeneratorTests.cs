using Alerts.Benchmarks;
using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Benchmarks;

/// <summary>The match benchmark must run on any corpus of id, title and body, not only on Reuters with its tag lists.</summary>
public sealed class QueryGeneratorTests
{
    [Fact]
    public void A_corpus_of_plain_jsonl_with_numeric_ids_and_no_tag_lists_loads_and_yields_parsable_queries()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corpus-{Guid.NewGuid():N}.jsonl");
        var random = new Random(7);
        string[] words = ["council", "budget", "harbour", "election", "drought", "vaccine", "tariff", "railway", "protest", "museum"];
        File.WriteAllLines(path, Enumerable.Range(1, 200).Select(i =>
            System.Text.Json.JsonSerializer.Serialize(new
            {
                id = i,
                title = string.Join(' ', Enumerable.Range(0, 5).Select(_ => words[random.Next(words.Length)])),
                body = string.Join(' ', Enumerable.Range(0, 60).Select(_ => words[random.Next(words.Length)] + random.Next(40))),
            })));
        try
        {
            var corpus = Corpus.Load(path);
            Assert.Equal(200, corpus.Count);
            Assert.Equal("1", corpus[0].Id);
            Assert.All(corpus, a => Assert.Empty(a.Tags));

            var generator = new QueryGenerator(corpus, seed: 3, dfWeighted: false);
            var queries = Enumerable.Range(0, 2_000).Select(_ => generator.Next()).ToList();
            Assert.All(queries, q => QueryParser.Parse(q));
            Assert.True(queries.Distinct().Count() > 100, "the generator should vary its queries");
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void A_corpus_of_two_short_articles_still_yields_queries()
    {
        var path = Path.Combine(Path.GetTempPath(), $"corpus-{Guid.NewGuid():N}.jsonl");
        File.WriteAllLines(path,
        [
            """{"id":"a","title":"Harbour strike","body":"Dockers strike at the harbour over pay."}""",
            """{"id":"b","title":"Harbour reopens","body":"The harbour reopens after the strike."}""",
        ]);
        try
        {
            var generator = new QueryGenerator(Corpus.Load(path), seed: 1, dfWeighted: true);
            for (var i = 0; i < 200; i++)
                QueryParser.Parse(generator.Next());
        }
        finally
        {
            File.Delete(path);
        }
    }
}
