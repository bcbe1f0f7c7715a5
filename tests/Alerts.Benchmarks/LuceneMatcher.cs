using System.Text;
using Alerts.Core.Matching;
using Lucene.Net.Analysis;
using Lucene.Net.Analysis.Core;
using Lucene.Net.Analysis.Miscellaneous;
using Lucene.Net.Analysis.Util;
using Lucene.Net.Index;
using Lucene.Net.Index.Memory;
using Lucene.Net.Search.Spans;
using Lucene.Net.Util;
using L = Lucene.Net.Search;

namespace Alerts.Benchmarks;

/// <summary>
/// The Lucene.Net 4.8 way to do the same job: each article goes into a <see cref="MemoryIndex"/> and every
/// subscription runs as a Lucene query against it (what a percolator does without pre-filtering).
/// </summary>
internal sealed class LuceneMatcher
{
    private const LuceneVersion Version = LuceneVersion.LUCENE_48;
    private readonly Analyzer _text = Analyzer.NewAnonymous((_, reader) =>
    {
        // Closest to TextAnalyzer: split on anything but letters and digits, lower-case, fold accents.
        var source = new LetterOrDigitTokenizer(reader);
        TokenStream stream = new LowerCaseFilter(Version, source);
        stream = new ASCIIFoldingFilter(stream);
        return new TokenStreamComponents(source, stream);
    });
    private readonly Analyzer _site = new WhitespaceAnalyzer(Version);
    private readonly MemoryIndex _index = new();
    private readonly L.Query[] _queries;

    public LuceneMatcher(IEnumerable<Query> queries) => _queries = queries.Select(Translate).ToArray();

    /// <summary>Indexes of the queries that match.</summary>
    public List<int> Match(MatchDocument document)
    {
        _index.Reset();
        _index.AddField("title", document.Title, _text);
        _index.AddField("body", document.Body, _text);
        var (host, _, _) = TextAnalyzer.SiteHost(document.Site);
        _index.AddField("site", string.Join(' ', TextAnalyzer.SiteSuffixes(host)), _site);
        var matches = new List<int>();
        for (var i = 0; i < _queries.Length; i++)
            if (_index.Search(_queries[i]) > 0) matches.Add(i);
        return matches;
    }

    private static L.Query Translate(Query query)
    {
        switch (query)
        {
            case TermQuery t:
                return Fields(t.Scope, f => new L.TermQuery(new Term(f, t.Term)));
            case PrefixQuery p:
                return Fields(p.Scope, f => new L.PrefixQuery(new Term(f, p.Prefix)));
            case SiteQuery s:
                return new L.TermQuery(new Term("site", s.Domain));
            case PhraseQuery { Distance: 0 } p:
                return Fields(p.Scope, f =>
                {
                    var phrase = new L.PhraseQuery();
                    foreach (var term in p.Terms) phrase.Add(new Term(f, term));
                    return phrase;
                });
            case PhraseQuery p:
                // Our distance is max-min position; Lucene's unordered slop counts the gaps.
                return Fields(p.Scope, f => new SpanNearQuery(
                    p.Terms.Select(term => (SpanQuery)new SpanTermQuery(new Term(f, term))).ToArray(),
                    p.Distance - (p.Terms.Count - 1), false));
            case AndQuery a:
            {
                var bq = new L.BooleanQuery();
                var positive = false;
                foreach (var child in a.Children)
                {
                    if (child is NotQuery n) bq.Add(Translate(n.Child), L.Occur.MUST_NOT);
                    else { bq.Add(Translate(child), L.Occur.MUST); positive = true; }
                }
                if (!positive) bq.Add(new L.MatchAllDocsQuery(), L.Occur.MUST);
                return bq;
            }
            case OrQuery o:
            {
                var bq = new L.BooleanQuery();
                foreach (var child in o.Children) bq.Add(Translate(child), L.Occur.SHOULD);
                return bq;
            }
            case NotQuery n:
                return new L.BooleanQuery
                {
                    { new L.MatchAllDocsQuery(), L.Occur.MUST },
                    { Translate(n.Child), L.Occur.MUST_NOT },
                };
            default:
                throw new ArgumentOutOfRangeException(nameof(query));
        }
    }

    private static L.Query Fields(FieldScope scope, Func<string, L.Query> make) => scope switch
    {
        FieldScope.Title => make("title"),
        FieldScope.Body => make("body"),
        _ => new L.BooleanQuery { { make("title"), L.Occur.SHOULD }, { make("body"), L.Occur.SHOULD } },
    };

    private sealed class LetterOrDigitTokenizer(TextReader reader) : CharTokenizer(Version, reader)
    {
        protected override bool IsTokenChar(int c) => Rune.IsValid(c) && Rune.IsLetterOrDigit(new Rune(c));
    }
}
