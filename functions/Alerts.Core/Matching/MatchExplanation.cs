namespace Alerts.Core.Matching;

/// <summary>
/// Why a query matched an article, or why it did not, in words a subscriber reads: "DACA in the title; sanctuary
/// city in the text", or "would not match, because -sports excluded it (sports is in the text)" / "chicago is not
/// in it". Built on the plain evaluator (the reference semantics that the compiled index agrees with), so an
/// explanation never disagrees with what was, or would be, sent.
/// </summary>
public sealed record MatchExplanation(bool Matches, IReadOnlyList<string> Reasons)
{
    /// <summary>The reasons as one line: "DACA in the title; sanctuary city in the text".</summary>
    public override string ToString() => string.Join("; ", Reasons);

    public static MatchExplanation Explain(Query query, MatchDocument document)
    {
        var doc = new AnalyzedDocument(document);
        if (QueryEvaluator.Evaluate(query, doc) is { } hits)
            return new MatchExplanation(true, Found(query, doc, document, hits));
        var reasons = new List<string>();
        Missing(query, doc, reasons);
        return new MatchExplanation(false, reasons.Distinct().ToList());
    }

    /// <summary>Each positive part of the query that took part in the match, with the field it was found in, in
    /// the words of the article ("DACA", not the folded "daca").</summary>
    private static List<string> Found(Query query, AnalyzedDocument doc, MatchDocument document, IReadOnlyList<Hit> hits)
    {
        var reasons = new List<string>();
        foreach (var part in PositiveParts(query))
        {
            if (QueryEvaluator.Evaluate(part, doc) is not { Count: > 0 } own) continue;
            var inMatch = own.Where(hits.Contains).ToList();
            if (inMatch.Count == 0) continue;
            var words = inMatch.Select(h => Text(document, h)).First();
            var fields = inMatch.Select(h => h.Field).Distinct().Order().Select(FieldName);
            reasons.Add(part is SiteQuery s ? $"from {s.Domain}" : $"{words} in {string.Join(" and ", fields)}");
        }
        if (reasons.Count == 0) reasons.Add(query is NotQuery n ? $"{Describe(n.Child)} is not in it" : "nothing it excludes is in it");
        return reasons.Distinct().ToList();
    }

    /// <summary>Why a query that did not match fails: the parts an AND lacks, every alternative of an OR, the
    /// excluded part that is present, the phrase whose words are there but apart.</summary>
    private static void Missing(Query query, AnalyzedDocument doc, List<string> reasons)
    {
        switch (query)
        {
            case AndQuery and:
                foreach (var child in and.Children)
                    if (!QueryEvaluator.Matches(child, doc)) Missing(child, doc, reasons);
                break;
            case OrQuery or:
                reasons.Add("none of " + string.Join(", ", or.Children.Select(DescribeScoped)) + " is in it");
                break;
            case NotQuery not:
                reasons.Add($"-{DescribeScoped(not.Child)} excluded it ({DescribeScoped(not.Child)} is in it)");
                break;
            case PhraseQuery phrase when phrase.Terms.All(t => doc.PhraseTermOccurrences(t).Any(o => o.In(phrase.Scope))):
                reasons.Add(phrase.Distance == 0
                    ? $"the words of {Describe(phrase)} are in it, but not next to each other in one sentence"
                    : $"the words of {Describe(phrase)} are in it, but not within {phrase.Distance} words of each other");
                break;
            case SiteQuery site:
                reasons.Add($"it is not from {site.Domain}");
                break;
            default:
                reasons.Add($"{Describe(query)} is not in {ScopeName(query)}");
                break;
        }
    }

    /// <summary>The words, phrases, prefixes and sites that are not under a NOT.</summary>
    internal static IEnumerable<Query> PositiveParts(Query query) => query switch
    {
        AndQuery a => a.Children.SelectMany(PositiveParts),
        OrQuery o => o.Children.SelectMany(PositiveParts),
        NotQuery => [],
        _ => [query],
    };

    /// <summary>How an explanation quotes a part of the query (docs/query-language.md, "Why it matched").</summary>
    internal static string Describe(Query query) => query switch
    {
        TermQuery t => t.Term,
        PrefixQuery p => p.Prefix + "*",
        PhraseQuery p => "\u201C" + string.Join(' ', p.Terms) + "\u201D",
        SiteQuery s => "site:" + s.Domain,
        _ => "(" + query + ")",
    };

    /// <summary>As <see cref="Describe"/>, with the field a word or phrase is limited to as the query wrote it
    /// (<c>title:sports</c>), where the sentence does not name the field: "none of body:phoning is in it" must not
    /// read as if phoning were nowhere in the article.</summary>
    internal static string DescribeScoped(Query query) => query switch
    {
        TermQuery { Scope: FieldScope.Title } or PrefixQuery { Scope: FieldScope.Title } or PhraseQuery { Scope: FieldScope.Title } => "title:" + Describe(query),
        TermQuery { Scope: FieldScope.Body } or PrefixQuery { Scope: FieldScope.Body } or PhraseQuery { Scope: FieldScope.Body } => "body:" + Describe(query),
        _ => Describe(query),
    };

    /// <summary>
    /// Where a match's own hits are: "DACA in the title; sanctuary city in the text". Linear in the hits, for places
    /// that must stay cheap whatever the query (the anonymous preview; long articles in a digest): the plain evaluator
    /// behind <see cref="Explain"/> can cost quadratic time on hostile queries over long texts.
    /// </summary>
    public static MatchExplanation FromHits(MatchDocument document, IReadOnlyList<Hit> hits, int wordsPerField = 3)
    {
        // Each distinct matched text (case aside) with the fields it was found in, title first, in reading order...
        var found = new List<(string Words, SortedSet<DocumentField> Fields)>();
        foreach (var hit in hits.Where(h => h.Field != DocumentField.Site).OrderBy(h => h.Field).ThenBy(h => h.Start))
        {
            var text = Text(document, hit);
            if (text.Length == 0) continue;
            var at = found.FindIndex(f => string.Equals(f.Words, text, StringComparison.OrdinalIgnoreCase));
            if (at < 0) found.Add((text, [hit.Field]));
            else found[at].Fields.Add(hit.Field);
        }
        // ...then one reason per set of fields: "DACA, sanctuary city in the title and the text".
        var reasons = found
            .GroupBy(f => string.Join(" and ", f.Fields.Select(FieldName)))
            .Select(g => string.Join(", ", g.Take(wordsPerField).Select(f => f.Words)) + " in " + g.Key)
            .ToList();
        if (hits.Any(h => h.Field == DocumentField.Site))
            reasons.Add("from " + document.Site);
        return new MatchExplanation(true, reasons);
    }

    private static string ScopeName(Query query) => query switch
    {
        TermQuery { Scope: FieldScope.Title } or PrefixQuery { Scope: FieldScope.Title } or PhraseQuery { Scope: FieldScope.Title } => "the title",
        TermQuery { Scope: FieldScope.Body } or PrefixQuery { Scope: FieldScope.Body } or PhraseQuery { Scope: FieldScope.Body } => "the text",
        _ => "it",
    };

    private static string FieldName(DocumentField field) => field switch
    {
        DocumentField.Title => "the title",
        DocumentField.Body => "the text",
        _ => "the site",
    };

    private static string Text(MatchDocument document, Hit hit)
    {
        var text = hit.Field switch { DocumentField.Title => document.Title, DocumentField.Body => document.Body, _ => document.Site } ?? "";
        return hit.Start + hit.Length <= text.Length ? text.Substring(hit.Start, hit.Length) : "";
    }
}
