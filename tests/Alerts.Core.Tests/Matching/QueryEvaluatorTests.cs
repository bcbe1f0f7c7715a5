using Alerts.Core.Matching;

namespace Alerts.Core.Tests.Matching;

public class QueryEvaluatorTests
{
    private static MatchDocument Doc(string title, string body = "", string site = "www.example.com") => new(title, body, site);

    private static bool Matches(string query, MatchDocument doc) => QueryEvaluator.Evaluate(QueryParser.Parse(query), doc) is not null;

    [Theory]
    [InlineData("DACA", "Judge rules on DACA's future", true)]
    [InlineData("DACA", "Rally (DACA) today", true)]
    [InlineData("DACA", "DACAL shares fall", false)]
    [InlineData("daca", "DACA", true)]
    [InlineData("\"daca s\"", "DACA's", true)]
    [InlineData("DACA's", "DACA’s recipients", true)]
    [InlineData("dacas", "DACA's", false)]
    [InlineData("u.s.", "The U.S. economy", true)]
    [InlineData("e-mail", "send an email", true)]
    [InlineData("e-mail", "send an e-mail", true)]
    [InlineData("email", "send an e-mail", true)]
    public void Words_respect_boundaries_case_and_punctuation(string query, string title, bool expected) =>
        Assert.Equal(expected, Matches(query, Doc(title)));

    [Theory]
    [InlineData("\"Brown Tory\"", "Gordon Brown. Tory leaders met on Monday", false)]
    [InlineData("\"Brown Tory\"", "Gordon Brown Tory", true)]
    [InlineData("\"rates rise\"", "Cut the rates! Rise up", false)]
    [InlineData("\"rates rise\"", "Why rates? Rise of the", false)]
    [InlineData("\"city council\"", "the city\n\nCouncil members", false)]
    [InlineData("\"city council\"", "the city\nCouncil members", true)]
    [InlineData("\"U.S. officials\"", "Two U.S. officials said", true)]
    [InlineData("\"Mr. Smith\"", "Mr. Smith arrived", true)]
    [InlineData("\"3.5 percent\"", "growth of 3.5 percent", true)]
    [InlineData("\"approx. ten\"", "approx. ten people", true)]
    [InlineData("\"brown tory\"~2", "Gordon Brown. Tory leaders", true)]
    [InlineData("\"brown tory\"~1", "Gordon Brown. Tory leaders", false)]
    public void Phrases_stay_inside_a_sentence(string query, string body, bool expected) =>
        AssertBothEnginesAgree(query, body, expected);

    [Theory]
    [InlineData("\"mobile phon*\"", "new mobile phones and mobile phoning", true)]
    [InlineData("\"mobile phon*\"", "mobile telephones", false)]
    [InlineData("\"mobile phon*\"", "phones for mobile", false)]
    [InlineData("\"phon* mobile\"~2", "mobile phones", true)]
    [InlineData("anti-terror*", "new anti-terrorism laws", true)]
    [InlineData("anti-terror*", "anti terrorist squad", true)]
    [InlineData("anti-terror*", "terrorism, anti", false)]
    public void Phrases_and_hyphenated_words_take_a_prefix_as_people_type_it(string query, string body, bool expected) =>
        AssertBothEnginesAgree(query, body, expected);

    [Theory]
    [InlineData("A-level", "her A-level results", true)]
    [InlineData("A-level", "her Alevel results", true)]
    [InlineData("A-level", "a level of support", false)]
    [InlineData("\"A-level results\"", "her A-level results", true)]
    [InlineData("\"A-level results\"", "a level results", false)]
    [InlineData("\"send email today\"", "send e-mail today", true)]
    [InlineData("\"e mail\"", "send e-mail today", true)]
    [InlineData("\"mail today\"", "send e-mail today", true)]
    [InlineData("covid-19", "the COVID-19 pandemic", true)]
    [InlineData("covid-19", "the covid19 pandemic", true)]
    [InlineData("money-laundering", "new anti-money-laundering rules", true)]
    [InlineData("anti-money-laundering", "new anti-money-laundering rules", true)]
    [InlineData("\"anti-money-laundering rules\"", "new anti-money-laundering rules", true)]
    [InlineData("laundering", "new anti-money-laundering rules", true)]
    [InlineData("anti-money", "new anti-money-laundering rules", false)]
    public void A_hyphenated_word_is_one_word_and_its_parts(string query, string body, bool expected) =>
        AssertBothEnginesAgree(query, body, expected);

    private static void AssertBothEnginesAgree(string query, string body, bool expected)
    {
        Assert.Equal(expected, Matches(query, Doc("", body)));
        // The compiled index follows the same rule.
        var index = new SubscriptionIndex();
        index.Upsert("q", query);
        Assert.Equal(expected, index.Match(Doc("", body)).Count == 1);
    }

    [Theory]
    [InlineData("a b", "a x b", true)]
    [InlineData("a b", "a x", false)]
    [InlineData("a AND b", "b a", true)]
    [InlineData("a OR b", "b", true)]
    [InlineData("a OR b", "c", false)]
    [InlineData("a -b", "a c", true)]
    [InlineData("a -b", "a b", false)]
    [InlineData("a NOT b", "a b", false)]
    [InlineData("a OR b c", "a", true)]
    [InlineData("a OR b c", "b", false)]
    [InlineData("(a OR b) c", "a", false)]
    [InlineData("(a OR b) c", "a c", true)]
    [InlineData("NOT a OR b", "a b", true)]
    [InlineData("NOT a OR b", "a", false)]
    [InlineData("-sports", "politics today", true)]
    [InlineData("-sports", "sports today", false)]
    [InlineData("NOT (a b)", "a", true)]
    [InlineData("NOT (a b)", "b a", false)]
    [InlineData("\"sanctuary city\"", "a sanctuary city law", true)]
    [InlineData("\"sanctuary city\"", "city sanctuary", false)]
    [InlineData("\"sanctuary city\"", "sanctuary, city", true)]
    [InlineData("\"sanctuary city\"~3", "city and its sanctuary", true)]
    [InlineData("\"sanctuary city\"~3", "sanctuary laws in the city", false)]
    [InlineData("\"sanctuary city\"~4", "sanctuary laws in the city", true)]
    [InlineData("\"a a\"~2", "a b", false)]
    [InlineData("\"a a\"~2", "a b a", true)]
    [InlineData("immigra*", "Immigration reform", true)]
    [InlineData("immigra*", "immigra", true)]
    [InlineData("immigra*", "emigration", false)]
    [InlineData("immigra*", "immi gration", false)]
    public void Operators(string query, string title, bool expected) =>
        Assert.Equal(expected, Matches(query, Doc(title)));

    [Fact]
    public void Fields()
    {
        var doc = Doc("Budget vote", "The senate passed the budget after a long debate", "https://www.reuters.com/world/x");
        Assert.True(Matches("title:budget", doc));
        Assert.False(Matches("title:senate", doc));
        Assert.True(Matches("body:senate", doc));
        Assert.False(Matches("body:vote", doc));
        Assert.True(Matches("senate vote", doc));
        Assert.True(Matches("title:(senate OR vote)", doc));
        Assert.True(Matches("body:\"long debate\"", doc));
        Assert.False(Matches("title:\"long debate\"", doc));
        Assert.True(Matches("site:reuters.com", doc));
        Assert.True(Matches("site:www.reuters.com", doc));
        Assert.True(Matches("site:REUTERS.com budget", doc));
        Assert.False(Matches("site:euters.com", doc));
        Assert.False(Matches("site:news.reuters.com", doc));
        Assert.False(Matches("-site:reuters.com", doc));
        // Phrases never run from the title into the body.
        Assert.False(Matches("\"vote the\"", doc));
        Assert.False(Matches("\"vote the\"~5", doc));
    }

    [Theory]
    [InlineData("istanbul", "İSTANBUL")]
    [InlineData("İstanbul", "istanbul")]
    [InlineData("ıstanbul", "Istanbul")]
    [InlineData("ISTANBUL", "ıstanbul")]
    [InlineData("strasse", "Straße")]
    [InlineData("STRAẞE", "strasse")]
    [InlineData("Straße", "STRASSE")]
    [InlineData("cafe", "Café")]
    [InlineData("café", "CAFE")]
    [InlineData("São Paulo", "sao paulo")]
    [InlineData("\"sao paulo\"", "SÃO PAULO")]
    [InlineData("naïve", "naive")]
    [InlineData("ﬁnance", "finance")]
    [InlineData("Ｔｏｋｙｏ", "tokyo")]
    [InlineData("東京", "東京都の人口")]
    [InlineData("\"京都\"", "東京都の人口")]
    [InlineData("都", "東京都")]
    [InlineData("ソニー", "ソニーの決算")]
    [InlineData("삼성", "삼성전자")]
    public void Unicode_folding(string query, string text) => Assert.True(Matches(query, Doc(text)), $"{query} should match {text}");

    [Theory]
    [InlineData("\"東京\"", "東の京")]
    [InlineData("京東", "東京")]
    [InlineData("cafe", "cafeteria")]
    public void Unicode_non_matches(string query, string text) => Assert.False(Matches(query, Doc(text)));

    [Fact]
    public void Hits_point_into_the_original_text()
    {
        var doc = Doc("DACA's future: (DACA) ruling", "Judges on DACA and the sanctuary, city; İmmigration", "https://www.reuters.com/");
        var hits = QueryEvaluator.Evaluate(QueryParser.Parse("daca \"sanctuary city\" immigra* site:reuters.com -foo"), doc)!;
        Assert.Equal(
        [
            new Hit(DocumentField.Title, 0, 4),
            new Hit(DocumentField.Title, 16, 4),
            new Hit(DocumentField.Body, 10, 4),
            new Hit(DocumentField.Body, 23, 15),
            new Hit(DocumentField.Body, 40, 11),
            new Hit(DocumentField.Site, 8, 15),
        ], hits);
        Assert.Equal("sanctuary, city", doc.Body.Substring(23, 15));
        Assert.Equal("www.reuters.com", doc.Site.Substring(8, 15));
    }

    [Fact]
    public void Or_reports_every_matching_branch_and_not_reports_nothing()
    {
        var doc = Doc("alpha beta gamma");
        Assert.Equal([new Hit(DocumentField.Title, 0, 5), new Hit(DocumentField.Title, 6, 4)],
            QueryEvaluator.Evaluate(QueryParser.Parse("alpha OR beta OR delta"), doc));
        Assert.Equal([new Hit(DocumentField.Title, 11, 5)],
            QueryEvaluator.Evaluate(QueryParser.Parse("(alpha delta) OR gamma"), doc));
        Assert.Empty(QueryEvaluator.Evaluate(QueryParser.Parse("-delta"), doc)!);
        Assert.Null(QueryEvaluator.Evaluate(QueryParser.Parse("-alpha"), doc));
    }

    [Fact]
    public void Proximity_hits_cover_the_words_in_the_window()
    {
        var doc = Doc("city of refuge and sanctuary far far far far far city");
        var hits = QueryEvaluator.Evaluate(QueryParser.Parse("\"sanctuary city\"~4"), doc)!;
        Assert.Equal([new Hit(DocumentField.Title, 0, 4), new Hit(DocumentField.Title, 19, 9)], hits);
    }

    [Fact]
    public void Tokenizer_reports_original_offsets()
    {
        var tokens = TextAnalyzer.Tokenize("Ünïcode DACA's (x) 東京 İ");
        Assert.Equal(
        [
            new TextToken(0, 7, "unicode"), new TextToken(8, 4, "daca"), new TextToken(13, 1, "s"),
            new TextToken(16, 1, "x"), new TextToken(19, 1, "東"), new TextToken(20, 1, "京"), new TextToken(22, 1, "i"),
        ], tokens);
    }
}
