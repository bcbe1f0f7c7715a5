using System.Runtime.InteropServices;

namespace Alerts.Core.Matching;

/// <summary>One token of an analysed document. Body positions start at <see cref="AnalyzedDocument.BodyBase"/>
/// so that phrases and proximity never span title and body; a sentence break skips one position
/// (<see cref="TextAnalyzer.IsSentenceBreak"/>), so phrases never span sentences.
/// A hyphenated word is also one joined token ("e-mail" → email) that spans its parts' positions
/// (<see cref="Width"/>), so a phrase continues after its last part.</summary>
public readonly record struct Occurrence(int Position, int Start, int Length, DocumentField Field, int Width = 1)
{
    public int EndPosition => Position + Width - 1;

    public bool In(FieldScope scope) => scope switch
    {
        FieldScope.Any => Field != DocumentField.Site,
        FieldScope.Title => Field == DocumentField.Title,
        _ => Field == DocumentField.Body,
    };
}

/// <summary>An article tokenised once, term → occurrences, for the plain evaluator.</summary>
public sealed class AnalyzedDocument
{
    public const int BodyBase = 1 << 20;

    private readonly Dictionary<string, List<Occurrence>> _terms = new(StringComparer.Ordinal);
    private readonly List<(string Term, Occurrence Occurrence)> _tokens = [];
    private readonly HashSet<string> _siteSuffixes = new(StringComparer.Ordinal);
    private readonly Hit _siteHit;

    public AnalyzedDocument(MatchDocument document)
    {
        Add(document.Title ?? "", DocumentField.Title, 0);
        Add(document.Body ?? "", DocumentField.Body, BodyBase);
        var (host, start, length) = TextAnalyzer.SiteHost(document.Site);
        foreach (var suffix in TextAnalyzer.SiteSuffixes(host)) _siteSuffixes.Add(suffix);
        _siteHit = new Hit(DocumentField.Site, start, length);
    }

    private void Add(string text, DocumentField field, int basePosition)
    {
        var tokens = TextAnalyzer.Tokenize(text);
        var positions = new int[tokens.Count];
        var position = basePosition;
        for (var i = 0; i < tokens.Count; i++)
        {
            // A sentence break skips a position, so phrases stay inside one sentence.
            if (i > 0 && TextAnalyzer.IsSentenceBreak(text, tokens[i - 1].Start, tokens[i - 1].Start + tokens[i - 1].Length, tokens[i].Start))
                position++;
            positions[i] = position++;
        }
        for (var i = 0; i < tokens.Count; i++)
        {
            var token = tokens[i];
            // A hyphenated run from here on is also one word (the joined token comes first, in position order);
            // it is a word only, never a prefix candidate, so prefixes see each part as before.
            var last = TextAnalyzer.CompoundEnd(text, tokens, i);
            if (last > i)
            {
                var joined = string.Concat(tokens.Skip(i).Take(last - i + 1).Select(t => t.Term));
                var end = tokens[last].Start + tokens[last].Length;
                if (joined.Length <= TextAnalyzer.MaxCompoundLength)
                    AddTerm(joined, new Occurrence(positions[i], token.Start, end - token.Start, field, positions[last] - positions[i] + 1));
            }
            var occurrence = new Occurrence(positions[i], token.Start, token.Length, field);
            AddTerm(token.Term, occurrence);
            _tokens.Add((token.Term, occurrence));
        }
    }

    private void AddTerm(string term, Occurrence occurrence)
    {
        if (!_terms.TryGetValue(term, out var list)) _terms[term] = list = [];
        list.Add(occurrence);
    }

    public IReadOnlyList<Occurrence> Occurrences(string term) =>
        _terms.TryGetValue(term, out var list) ? list : [];

    public IEnumerable<Occurrence> PrefixOccurrences(string prefix) =>
        _tokens.Where(t => t.Term.StartsWith(prefix, StringComparison.Ordinal)).Select(t => t.Occurrence);

    /// <summary>The occurrences of a phrase term: a word, or with a trailing '*' every word with that prefix.</summary>
    public IReadOnlyList<Occurrence> PhraseTermOccurrences(string term) =>
        PhraseQuery.IsPrefix(term) ? PrefixOccurrences(PhraseQuery.Stem(term)).ToList() : Occurrences(term);

    public bool SiteMatches(string domain) => _siteSuffixes.Contains(domain);

    public Hit SiteHit => _siteHit;
}

/// <summary>
/// Evaluates a query tree directly against one document: the reference semantics (the compiled
/// <see cref="SubscriptionIndex"/> must agree with it) and the engine behind query previews.
/// </summary>
public static class QueryEvaluator
{
    /// <summary>Null when the document does not match; otherwise every positive term occurrence, sorted.</summary>
    public static IReadOnlyList<Hit>? Evaluate(Query query, MatchDocument document) => Evaluate(query, new AnalyzedDocument(document));

    public static IReadOnlyList<Hit>? Evaluate(Query query, AnalyzedDocument document)
    {
        var hits = new List<Hit>();
        if (!Collect(query, document, hits)) return null;
        return Normalize(hits);
    }

    /// <summary>Match or not, without collecting hits (short-circuits).</summary>
    public static bool Matches(Query query, AnalyzedDocument document) => Collect(query, document, null);

    internal static Hit[] Normalize(List<Hit> hits)
    {
        if (hits.Count == 0) return [];
        var span = CollectionsMarshal.AsSpan(hits);
        var sorted = true;
        for (var i = 1; i < span.Length && sorted; i++) sorted = Compare(span[i - 1], span[i]) < 0;
        if (sorted) return span.ToArray(); // the common case: one word, occurrences in text order
        span.Sort(Compare);
        var n = 1;
        for (var i = 1; i < span.Length; i++)
            if (span[i] != span[n - 1]) span[n++] = span[i];
        return span[..n].ToArray();
    }

    internal static int Compare(Hit a, Hit b) => a.Field != b.Field ? a.Field.CompareTo(b.Field)
        : a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.Length.CompareTo(b.Length);

    private static bool Collect(Query query, AnalyzedDocument doc, List<Hit>? hits)
    {
        switch (query)
        {
            case TermQuery t:
                return AddAll(doc.Occurrences(t.Term), t.Scope, hits);
            case PrefixQuery p:
                return AddAll(doc.PrefixOccurrences(p.Prefix), p.Scope, hits);
            case SiteQuery s:
                if (!doc.SiteMatches(s.Domain)) return false;
                hits?.Add(doc.SiteHit);
                return true;
            case PhraseQuery { Distance: 0 } p:
                return Phrase(p, doc, hits);
            case PhraseQuery p:
                return Proximity(p, doc, hits);
            case AndQuery a:
            {
                var mark = hits?.Count ?? 0;
                foreach (var child in a.Children)
                {
                    if (Collect(child, doc, hits)) continue;
                    hits?.RemoveRange(mark, hits.Count - mark);
                    return false;
                }
                return true;
            }
            case OrQuery o:
            {
                var any = false;
                foreach (var child in o.Children)
                {
                    if (!Collect(child, doc, hits)) continue;
                    any = true;
                    if (hits is null) break;
                }
                return any;
            }
            case NotQuery n:
                return !Collect(n.Child, doc, null);
            default:
                throw new ArgumentOutOfRangeException(nameof(query), query.GetType().Name);
        }
    }

    private static bool AddAll(IEnumerable<Occurrence> occurrences, FieldScope scope, List<Hit>? hits)
    {
        var any = false;
        foreach (var o in occurrences)
        {
            if (!o.In(scope)) continue;
            any = true;
            if (hits is null) return true;
            hits.Add(new Hit(o.Field, o.Start, o.Length));
        }
        return any;
    }

    private static bool Phrase(PhraseQuery p, AnalyzedDocument doc, List<Hit>? hits)
    {
        var any = false;
        foreach (var first in doc.PhraseTermOccurrences(p.Terms[0]))
        {
            if (!first.In(p.Scope)) continue;
            var last = first;
            var ok = true;
            for (var i = 1; i < p.Terms.Count && ok; i++)
            {
                ok = false;
                var want = last.EndPosition + 1;
                foreach (var o in doc.PhraseTermOccurrences(p.Terms[i]))
                    if (o.Position == want) { ok = true; last = o; break; }
            }
            if (!ok) continue;
            any = true;
            if (hits is null) return true;
            hits.Add(new Hit(first.Field, first.Start, last.Start + last.Length - first.Start));
        }
        return any;
    }

    /// <summary>Some window [p, p + Distance] holds every word (as often as the phrase repeats it);
    /// the hits are all the phrase's words inside such windows.</summary>
    private static bool Proximity(PhraseQuery p, AnalyzedDocument doc, List<Hit>? hits)
    {
        var distinct = p.Terms.Distinct(StringComparer.Ordinal).ToArray();
        var need = distinct.Select(t => p.Terms.Count(x => x == t)).ToArray();
        var all = distinct
            .SelectMany((t, i) => doc.PhraseTermOccurrences(t).Where(o => o.In(p.Scope)).Select(o => (Term: i, Occ: o)))
            .OrderBy(x => x.Occ.Position).ToArray();
        var any = false;
        foreach (var (_, start) in all)
        {
            var inWindow = all.Where(x => x.Occ.Position >= start.Position && x.Occ.Position <= start.Position + p.Distance).ToArray();
            var ok = true;
            for (var i = 0; i < distinct.Length && ok; i++)
                ok = inWindow.Count(x => x.Term == i) >= need[i];
            if (!ok) continue;
            any = true;
            if (hits is null) return true;
            foreach (var (_, o) in inWindow) hits.Add(new Hit(o.Field, o.Start, o.Length));
        }
        return any;
    }
}
