using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Matching;

/// <summary>"Why did (or didn't) this match": the explanation agrees with the plain evaluator and names the parts.</summary>
public sealed class MatchExplanationTests
{
    private static readonly MatchDocument Article = new(
        "DACA recipients rally in Chicago",
        "Hundreds gathered to defend the sanctuary city policy. Sports fans joined later.",
        "https://www.reuters.com/world/us");

    private static MatchExplanation Explain(string query) => MatchExplanation.Explain(QueryParser.Parse(query), Article);

    [Fact]
    public void A_match_says_which_part_of_the_query_matched_where_in_the_articles_own_words()
    {
        var why = Explain("daca \"sanctuary city\"");
        Assert.True(why.Matches);
        Assert.Equal("DACA in the title; sanctuary city in the text", why.ToString());
    }

    [Fact]
    public void A_match_in_both_fields_and_a_site_are_named()
    {
        Assert.Equal("Chicago in the title; from reuters.com", Explain("chicago site:reuters.com").ToString());
        Assert.Equal("sanctuary in the text", Explain("title:daca OR sanctuary").Reasons[1]);
    }

    [Fact]
    public void A_miss_names_the_word_that_is_not_in_the_article()
    {
        var why = Explain("\"sanctuary city\" AND Boston");
        Assert.False(why.Matches);
        Assert.Equal(["boston is not in it"], why.Reasons);
    }

    [Fact]
    public void A_miss_names_the_exclusion_that_removed_it()
    {
        var why = Explain("daca -sports");
        Assert.False(why.Matches);
        Assert.Equal(["-sports excluded it (sports is in it)"], why.Reasons);
    }

    [Fact]
    public void A_miss_tells_a_phrase_whose_words_are_apart_from_a_missing_word()
    {
        Assert.Equal(["the words of \u201Cpolicy sports\u201D are in it, but not next to each other in one sentence"],
            Explain("\"policy sports\"").Reasons);
        Assert.Equal(["the words of \u201Cdaca hundreds\u201D are in it, but not within 2 words of each other"],
            Explain("\"daca hundreds\"~2").Reasons);
        Assert.Equal(["rally is not in the text"], Explain("body:rally").Reasons);
        Assert.Equal(["none of boston, denver is in it"], Explain("boston OR denver").Reasons);
        Assert.Equal(["it is not from bbc.co.uk"], Explain("daca site:bbc.co.uk").Reasons);
    }

    [Fact]
    public void Alternatives_and_exclusions_limited_to_a_field_keep_the_field_in_the_reason()
    {
        // "rally" is in the title: a reason that said "none of boston, rally is in it" would be untrue.
        Assert.Equal(["none of title:boston, body:rally is in it"], Explain("title:boston OR body:rally").Reasons);
        Assert.Equal(["-title:rally excluded it (title:rally is in it)"], Explain("daca -title:rally").Reasons);
    }

    [Fact]
    public void A_purely_negative_query_that_matches_says_what_is_absent()
    {
        Assert.Equal(["baseball is not in it"], Explain("-baseball").Reasons);
    }

    [Fact]
    public void Explanations_agree_with_the_plain_evaluator_on_random_queries_and_articles()
    {
        var random = new Random(1201);
        string[] words = ["daca", "chicago", "sanctuary", "city", "policy", "sports", "rally", "court", "border", "vote"];
        string Word() => words[random.Next(words.Length)];
        string Query(int depth) => random.Next(depth > 2 ? 4 : 8) switch
        {
            0 or 1 => Word(),
            2 => $"\"{Word()} {Word()}\"",
            3 => Word()[..3] + "*",
            4 => $"({Query(depth + 1)} OR {Query(depth + 1)})",
            5 => $"{Query(depth + 1)} {Query(depth + 1)}",
            6 => "-" + Query(depth + 2),
            _ => (random.Next(2) == 0 ? "title:" : "body:") + Word(),
        };
        string Text(int n) => string.Join(random.Next(4) == 0 ? ". " : " ", Enumerable.Range(0, n).Select(_ => random.Next(3) == 0 ? Word().ToUpperInvariant() : Word()));
        for (var i = 0; i < 3_000; i++)
        {
            Query query;
            try { query = QueryParser.Parse(Query(0)); }
            catch (QueryParseException) { continue; }
            var document = new MatchDocument(Text(random.Next(0, 5)), Text(random.Next(0, 20)), "example.org");
            var why = MatchExplanation.Explain(query, document);
            Assert.Equal(QueryEvaluator.Evaluate(query, document) is not null, why.Matches);
            Assert.NotEmpty(why.Reasons);
            Assert.All(why.Reasons, r => Assert.False(string.IsNullOrWhiteSpace(r)));
        }
    }
}
