using CsCheck;

namespace Alerts.Core.Tests.Matching;

/// <summary>
/// CsCheck generators of queries as people type them and of articles to match them against, covering every form of
/// docs/query-language.md: aliases (<c>intitle:</c>, <c>inurl:</c>), typographic quotes, prefixes inside phrases
/// and on hyphenated words, hyphenated and compound words, and articles with sentence and paragraph breaks,
/// abbreviations and decimals. A query comes as it is typed and as its plain spelling (<c>title:</c>,
/// <c>site:</c>, straight quotes), which must mean the same.
/// </summary>
internal static class QueryGenerators
{
    public static readonly string[] Words =
    [
        "daca", "sanctuary", "city", "immigration", "immigrants", "brown", "tory", "mobile", "phones", "phoning",
        "e", "mail", "email", "a", "level", "alevel", "anti", "terror", "terrorism", "covid", "19", "mr", "smith",
        "us", "officials", "percent", "3", "5", "istanbul", "cafe", "and", "東", "京",
    ];

    private static readonly string[] Hyphenated = ["e-mail", "a-level", "anti-terror", "covid-19", "mobile-phones", "e-mail-address"];
    private static readonly string[] Domains = ["reuters.com", "www.reuters.com", "bbc.co.uk", "example.org"];
    public static readonly string[] Sites = ["https://www.reuters.com/world", "news.bbc.co.uk", "example.org", "", "reuters.com"];
    private static readonly (string Open, string Close)[] Quotes = [("\u201C", "\u201D"), ("\u201E", "\u201C"), ("\u00AB", "\u00BB"), ("\uFF02", "\uFF02"), ("\u300C", "\u300D")];

    /// <summary>A query as typed and as spelled plainly.</summary>
    public readonly record struct Typed(string Text, string Plain)
    {
        public override string ToString() => Text == Plain ? Text : $"{Text}  (plainly: {Plain})";
        public static Typed Same(string text) => new(text, text);
    }

    private static readonly Gen<string> WordGen = Gen.OneOf(Words);

    private static Gen<string> PrefixOf(Gen<string> words) =>
        words.Where(w => w.Length >= 4).SelectMany(w => Gen.Int[3, w.Length].Select(n => w[..n] + "*"));

    private static readonly Gen<Typed> Term = Gen.Frequency(
        (6, WordGen.Select(Typed.Same)),
        (2, WordGen.Select(w => Typed.Same(w.ToUpperInvariant()))),
        (2, Gen.OneOf(Hyphenated).Select(Typed.Same)),
        (2, PrefixOf(WordGen).Select(Typed.Same)),
        // A hyphenated word with a prefix at the end: a phrase whose last word is the prefix.
        (1, PrefixOf(Gen.OneOf("terrorism", "phones", "level")).Select(p => Typed.Same("anti-" + p))));

    private static readonly Gen<string> PhraseWord = Gen.Frequency(
        (6, WordGen), (1, Gen.OneOf(Hyphenated)), (2, PrefixOf(WordGen)));

    private static readonly Gen<Typed> Phrase =
        from words in PhraseWord.Array[2, 3]
        from quote in Gen.Int[0, Quotes.Length]
        from near in Gen.Frequency((3, Gen.Const(0)), (1, Gen.Int[1, 5]))
        let body = string.Join(' ', words)
        let tail = near > 0 ? "~" + (near + words.Length - 1) : ""
        select new Typed(
            (quote == Quotes.Length ? "\"" + body + "\"" : Quotes[quote].Open + body + Quotes[quote].Close) + tail,
            "\"" + body + "\"" + tail);

    private static readonly Gen<Typed> Site =
        from domain in Gen.OneOf(Domains)
        from alias in Gen.Bool
        select new Typed((alias ? "inurl:" : "site:") + domain, "site:" + domain);

    private static Gen<Typed> Leaf(Gen<Typed> groups) => Gen.Frequency(
        (6, Term), (3, Phrase), (1, Site),
        (2, from field in Gen.Int[0, 3]
            from inner in Gen.Frequency((3, Term.Where(t => !t.Text.Contains('-'))), (2, Phrase), (1, groups.Select(g => new Typed("(" + g.Text + ")", "(" + g.Plain + ")"))))
            select field switch
            {
                0 => new Typed("intitle:" + inner.Text, "title:" + inner.Plain),
                1 => new Typed("title:" + inner.Text, "title:" + inner.Plain),
                _ => new Typed("body:" + inner.Text, "body:" + inner.Plain),
            }));

    private static Gen<Typed> Query(int depth)
    {
        if (depth >= 3) return Leaf(Term.Select(t => t));
        var child = Query(depth + 1);
        var pair = Gen.Select(child, child);
        return Gen.Frequency(
            (5, Leaf(pair.Select(p => Join(p.Item1, " OR ", p.Item2)))),
            (2, pair.Select(p => Group(Join(p.Item1, " OR ", p.Item2)))),
            (2, pair.Select(p => Group(Join(p.Item1, " ", p.Item2)))),
            (1, pair.Select(p => Group(Join(p.Item1, " AND ", p.Item2)))),
            (1, Query(depth + 2).Select(q => new Typed("-" + q.Text, "-" + q.Plain))),
            (1, Query(depth + 2).Select(q => new Typed("NOT " + q.Text, "NOT " + q.Plain))));
    }

    private static Typed Join(Typed a, string op, Typed b) => new(a.Text + op + b.Text, a.Plain + op + b.Plain);

    private static Typed Group(Typed a) => new("(" + a.Text + ")", "(" + a.Plain + ")");

    /// <summary>Queries of every form; a few do not parse (e.g. "-(a OR b)" is fine, but a lone "a-*" is not).</summary>
    public static readonly Gen<Typed> Queries = Query(0);

    private static readonly string[] ArticleWords =
    [
        .. Words, "E-Mail", "e-mail", "A-level", "COVID-19", "anti-terrorism", "Mr.", "U.S.", "3.5", "İstanbul", "Café",
        "DACA's", "(DACA)", "DACAL", "Brown", "Tory", "Mobile", "IMMIGRATION", "e-mail-address",
    ];

    // Sentence and paragraph breaks, abbreviations and decimals, hyphens that join words.
    private static readonly string[] Separators = [" ", " ", " ", " ", ", ", ". ", "! ", "? ", "\u2026 ", "\n\n", "-", ".", "; "];

    private static readonly Gen<string> Text =
        from words in Gen.Select(Gen.OneOf(ArticleWords), Gen.OneOf(Separators), Gen.Bool).Array[0, 30]
        select string.Concat(words.Select(w => (w.Item3 && w.Item1.Length > 0 ? char.ToUpperInvariant(w.Item1[0]) + w.Item1[1..] : w.Item1) + w.Item2));

    public static readonly Gen<Alerts.Core.Matching.MatchDocument> Documents =
        from title in Text.Select(t => t.Length > 80 ? t[..80] : t)
        from body in Text
        from site in Gen.OneOf(Sites)
        select new Alerts.Core.Matching.MatchDocument(title, body, site);
}
