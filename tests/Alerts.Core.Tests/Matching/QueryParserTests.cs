using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Matching;

public class QueryParserTests
{
    [Theory]
    [InlineData("DACA", "daca")]
    [InlineData("a b", "a AND b")]
    [InlineData("a AND b", "a AND b")]
    [InlineData("a OR b c", "a OR b AND c")]
    [InlineData("(a OR b) c", "(a OR b) AND c")]
    [InlineData("a -b", "a AND NOT b")]
    [InlineData("NOT a b", "NOT a AND b")]
    [InlineData("NOT (a b)", "NOT (a AND b)")]
    [InlineData("a and b", "a AND and AND b")]
    [InlineData("a or b", "a AND or AND b")]
    [InlineData("\"Sanctuary City\"", "\"sanctuary city\"")]
    [InlineData("\"sanctuary city\"~3", "\"sanctuary city\"~3")]
    [InlineData("immigra*", "immigra*")]
    [InlineData("title:Word", "title:word")]
    [InlineData("body:\"a phrase\"", "body:\"a phrase\"")]
    [InlineData("title:(a OR b)", "title:a OR title:b")]
    [InlineData("title:(a OR b) c", "(title:a OR title:b) AND c")]
    [InlineData("site:Example.com", "site:example.com")]
    [InlineData("site:https://www.reuters.com/world", "site:www.reuters.com")]
    [InlineData("DACA's", "\"daca s\"")]
    [InlineData("covid-19", "covid19")] // a hyphenated word is one word (articles index it joined too)
    [InlineData("\"single\"", "single")]
    [InlineData("((a))", "a")]
    [InlineData("a (b c) d", "a AND b AND c AND d")]
    [InlineData("a OR (b OR c)", "a OR b OR c")]
    [InlineData("-sports", "NOT sports")]
    [InlineData("--x", "NOT NOT x")]
    [InlineData("Straße", "strasse")]
    [InlineData("İstanbul", "istanbul")]
    [InlineData("東京", "\"東 京\"")]
    [InlineData("unknown:field", "\"unknown field\"")]
    public void Parses_to_canonical_form(string text, string canonical)
    {
        var q = QueryParser.Parse(text);
        Assert.Equal(canonical, q.ToString());
        // Canonical text parses back to itself.
        Assert.Equal(canonical, QueryParser.Parse(canonical).ToString());
        Assert.Equal(q, QueryParser.Parse(canonical));
    }

    [Fact]
    public void Builds_the_expected_tree()
    {
        var q = QueryParser.Parse("title:immigra* OR \"a b\"~2 -site:x.org");
        var or = Assert.IsType<OrQuery>(q);
        Assert.Equal(new PrefixQuery("immigra", FieldScope.Title), or.Children[0]);
        var and = Assert.IsType<AndQuery>(or.Children[1]);
        Assert.Equal(new PhraseQuery(["a", "b"], 2), and.Children[0]);
        Assert.Equal(new NotQuery(new SiteQuery("x.org")), and.Children[1]);
    }

    [Theory]
    [InlineData("", 0, "Type a word or a \"phrase\" to look for.")]
    [InlineData("   ", 3, "Type a word or a \"phrase\" to look for.")]
    [InlineData("a AND", 5, "The query stops too early: add a word or a \"phrase\" at the end.")]
    [InlineData("a OR OR b", 5, "A word or a \"phrase\" is missing before OR.")]
    [InlineData("NOT", 3, "The query stops too early")]
    [InlineData("(a", 2, "This ( is never closed: add a ) where the group ends.")]
    [InlineData("a)", 1, "This ) closes nothing: remove it, or add a ( before it.")]
    [InlineData("()", 1, "Put a word or a \"phrase\" before this ).")]
    [InlineData("\"abc", 4, "This quote is never closed: add a closing \" after \u201Cabc\u201D.")]
    [InlineData("\u201Csanctuary city", 15, "This quote is never closed: add a closing \" after \u201Csanctuary city\u201D.")]
    [InlineData("\"a b\"~", 6, "After ~ put a number from 1 to 100")]
    [InlineData("\"a b\"~0", 6, "After ~ put a number from 1 to 100")]
    [InlineData("\"a b\"~101", 6, "After ~ put a number from 1 to 100")]
    [InlineData("\"a b c\"~1", 8, "3 words need a distance of at least 2 after ~")]
    [InlineData("im*", 0, "Put at least 3 letters or digits before *")]
    [InlineData("x ab*", 2, "Put at least 3 letters or digits before *")]
    [InlineData("*", 0, "Put at least 3 letters or digits before *")]
    [InlineData("a.b.c*", 0, "Put at least 3 letters or digits before *")]
    [InlineData("\"mobile ph* x\"", 10, "Put at least 3 letters or digits before *")]
    [InlineData("title:", 6, "Put a word, a \"phrase\" or a ( right after title:, with no space (for example title:DACA).")]
    [InlineData("title: a", 6, "right after title:")]
    [InlineData("intitle: a", 8, "right after intitle:")]
    [InlineData("site:", 5, "After site: put a domain such as example.com")]
    [InlineData("site:..com", 5, "After site: put a domain such as example.com")]
    [InlineData("inurl:", 6, "After inurl: put a domain such as example.com")]
    [InlineData("a & b", 2, "\u201C&\u201D has no letters or digits to look for")]
    [InlineData("\"!!\"", 0, "This phrase has no letters or digits to look for.")]
    [InlineData("a - b", 2, "\u201C-\u201D has no letters or digits to look for")]
    public void Reports_in_plain_words_what_is_wrong_and_points_at_it(string text, int position, string expected)
    {
        var e = Assert.Throws<QueryParseException>(() => QueryParser.Parse(text));
        Assert.Equal(position, e.Position);
        Assert.Contains(expected, e.Message);
        // Plain words for people, not parser speak: the position travels separately, for the page to underline.
        Assert.DoesNotContain("position", e.Message);
        Assert.DoesNotContain("Expected", e.Message);
        Assert.EndsWith(".", e.Message);
    }

    [Theory]
    [InlineData("intitle:DACA", "title:daca")]
    [InlineData("intitle:(DACA OR Dreamers)", "title:daca OR title:dreamers")]
    [InlineData("inurl:reuters.com tariffs", "site:reuters.com AND tariffs")]
    [InlineData("\u201CTony Blair\u201D", "\"tony blair\"")]
    [InlineData("\u201ETony Blair\u201C", "\"tony blair\"")]
    [InlineData("\u00ABsanctuary city\u00BB AND Chicago", "\"sanctuary city\" AND chicago")]
    [InlineData("\uFF02sanctuary city\uFF02~3", "\"sanctuary city\"~3")]
    [InlineData("\"mobile phon*\"", "\"mobile phon*\"")]
    [InlineData("\"phon* mobile\"~3", "\"phon* mobile\"~3")]
    [InlineData("\"phon*\"", "phon*")]
    [InlineData("anti-terror*", "\"anti terror*\"")]
    [InlineData("title:anti-terror*", "title:\"anti terror*\"")]
    public void Reads_what_people_type_from_web_search_and_phones(string text, string canonical)
    {
        Assert.Equal(canonical, QueryParser.Parse(text).ToString());
    }

    [Fact]
    public void Limits_length()
    {
        Assert.IsType<AndQuery>(QueryParser.Parse(string.Join(" ", Enumerable.Repeat("abcdefghijk", 41)) + " abcdefgh"));
        var e = Assert.Throws<QueryParseException>(() => QueryParser.Parse(new string('a', 501)));
        Assert.Equal(500, e.Position);
        Assert.Contains("the limit is 500", e.Message);
    }

    [Fact]
    public void Limits_terms()
    {
        var fifty = string.Join(' ', Enumerable.Range(0, 50).Select(i => "w" + i));
        Assert.IsType<AndQuery>(QueryParser.Parse(fifty));
        var e = Assert.Throws<QueryParseException>(() => QueryParser.Parse(fifty + " extra"));
        Assert.Equal(fifty.Length + 1, e.Position);
        Assert.Contains("Too many terms", e.Message);
        // Phrase words count too.
        Assert.Throws<QueryParseException>(() => QueryParser.Parse("\"" + fifty + " x\""));
    }

    [Fact]
    public void Limits_depth()
    {
        QueryParser.Parse(new string('(', 10) + "a" + new string(')', 10));
        var e = Assert.Throws<QueryParseException>(() => QueryParser.Parse(new string('(', 11) + "a" + new string(')', 11)));
        Assert.Equal(10, e.Position);
        Assert.Contains("more than 10 levels deep", e.Message);
        QueryParser.Parse(string.Concat(Enumerable.Repeat("NOT ", 10)) + "a");
        Assert.Throws<QueryParseException>(() => QueryParser.Parse(string.Concat(Enumerable.Repeat("NOT ", 11)) + "a"));
        Assert.Throws<QueryParseException>(() => QueryParser.Parse(new string('-', 400) + "a"));
    }

    [Fact]
    public void Fuzz_garbage_yields_a_query_or_a_parse_exception()
    {
        var random = new Random(20261126);
        const string alphabet = "ab cAND OR NOT()\"'-*~:title:site:body: 0123456789.éİıß東京\t\n\\/&|!?\uD83D\uDE00\uD800";
        string[] words = ["AND", "OR", "NOT", "(", ")", "\"", "-", "*", "~3", "title:", "site:", "body:", "abc", "x", " "];
        int parsed = 0, failed = 0;
        for (var i = 0; i < 20_000; i++)
        {
            var sb = new System.Text.StringBuilder();
            var length = random.Next(0, i % 100 == 0 ? 600 : 40);
            while (sb.Length < length)
            {
                if (random.Next(3) == 0) sb.Append(words[random.Next(words.Length)]);
                else sb.Append(alphabet[random.Next(alphabet.Length)]);
            }
            var text = sb.ToString();
            try
            {
                var q = QueryParser.Parse(text);
                Assert.NotNull(q);
                // Whatever parses has a canonical form that parses to the same string
                // (unless expanding field groups made it longer than the limit).
                var canonical = q.ToString();
                if (canonical.Length <= QueryParser.MaxLength) Assert.Equal(canonical, QueryParser.Parse(canonical).ToString());
                parsed++;
            }
            catch (QueryParseException e)
            {
                Assert.InRange(e.Position, 0, text.Length);
                Assert.DoesNotContain("position", e.Message);
                failed++;
            }
        }
        Assert.True(parsed > 1000, $"only {parsed} parsed");
        Assert.True(failed > 1000, $"only {failed} failed");
    }
}
