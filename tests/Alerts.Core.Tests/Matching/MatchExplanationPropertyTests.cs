using System.Text.RegularExpressions;
using Alerts.Core.Matching;
using CsCheck;

namespace Alerts.Core.Tests.Matching;

/// <summary>
/// "Why did (or didn't) this match", checked against the plain evaluator on random queries and articles of every
/// form (<see cref="QueryGenerators"/>): the explanation agrees with the evaluator, every reason names a part of the
/// query, every "would not match, because …" is true of the article, and the reasons are the whole story (removing
/// the parts they name makes the query match).
/// </summary>
public sealed partial class MatchExplanationPropertyTests
{
    private static readonly Gen<(Query Query, MatchDocument Document)> Cases =
        from typed in QueryGenerators.Queries
        where QueryParser.TryParse(typed.Text, out _) is not null
        from document in QueryGenerators.Documents
        select (QueryParser.Parse(typed.Text), document);

    [Fact]
    public void Explanations_agree_with_the_evaluator_and_every_reason_is_true_and_names_a_part_of_the_query()
    {
        int matches = 0, misses = 0, exclusions = 0, absent = 0;
        Cases.Sample((query, document) =>
        {
            var why = MatchExplanation.Explain(query, document);
            var hits = QueryEvaluator.Evaluate(query, document);
            Assert.Equal(hits is not null, why.Matches);
            Assert.NotEmpty(why.Reasons);
            if (hits is not null)
            {
                foreach (var reason in why.Reasons) AssertNamesWhatMatched(query, document, hits, reason);
                matches++;
                return;
            }
            misses++;
            var failing = FailingParts(query, document).ToList();
            foreach (var reason in why.Reasons)
            {
                var part = AssertTrueOfTheArticle(failing, document, reason);
                if (part is NotQuery) exclusions++;
                else if (part is TermQuery) absent++;
            }
            // Every failing part is named, and they are all that is wrong: without them the query matches.
            foreach (var part in failing)
                Assert.True(why.Reasons.Any(r => r.Contains(NameOf(part), StringComparison.Ordinal)),
                    $"{Describe(part)} fails but no reason names it: {why}");
            var rest = Without(query, failing);
            Assert.True(rest is null || QueryEvaluator.Evaluate(rest, document) is not null,
                $"{query} without {string.Join(", ", failing)} still does not match {document}");
        }, iter: 3000, threads: 1);
        // Both kinds of answer, and both main kinds of miss, must have been checked for the property to mean much.
        Assert.True(matches > 300 && misses > 300 && exclusions > 50 && absent > 300,
            $"{matches} matches, {misses} misses, {exclusions} exclusions, {absent} absent words");
    }

    /// <summary>The parts a failing query's AND chain lacks (what <see cref="MatchExplanation"/> must name).</summary>
    private static IEnumerable<Query> FailingParts(Query query, MatchDocument document) => query is AndQuery and
        ? and.Children.Where(c => QueryEvaluator.Evaluate(c, document) is null).SelectMany(c => FailingParts(c, document))
        : [query];

    /// <summary>The query with the failing parts taken out of their ANDs; null when nothing is left (matches all).</summary>
    private static Query? Without(Query query, List<Query> failing)
    {
        if (failing.Any(f => ReferenceEquals(f, query))) return null;
        if (query is not AndQuery and) return query;
        var kept = and.Children.Select(c => Without(c, failing)).OfType<Query>().ToList();
        return kept.Count switch { 0 => null, 1 => kept[0], _ => new AndQuery(kept) };
    }

    private static void AssertNamesWhatMatched(Query query, MatchDocument document, IReadOnlyList<Hit> hits, string reason)
    {
        var positive = PositiveParts(query).ToList();
        if (FromSite().Match(reason) is { Success: true } site)
        {
            Assert.Contains(positive, p => p is SiteQuery s && s.Domain == site.Groups[1].Value && QueryEvaluator.Evaluate(p, document) is not null);
            return;
        }
        if (FoundIn().Match(reason) is { Success: true } found)
        {
            var words = found.Groups[1].Value;
            // A positive part whose own hits, inside the match, are these words of the article.
            Assert.True(positive.Any(p => QueryEvaluator.Evaluate(p, document) is { } own
                && own.Any(h => hits.Contains(h) && Text(document, h) == words)), $"\"{reason}\" names no part of {query} that matched");
            return;
        }
        // A match with no positive hits: a purely negative query.
        Assert.Empty(hits);
        if (reason == "nothing it excludes is in it") return;
        var absent = NotIn().Match(reason);
        Assert.True(absent.Success, $"unexpected reason \"{reason}\" for {query}");
        var not = Assert.IsType<NotQuery>(query);
        Assert.Equal(Describe(not.Child), absent.Groups[1].Value);
        Assert.Null(QueryEvaluator.Evaluate(not.Child, document));
    }

    /// <summary>Finds the failing part a miss reason names and checks that what it says of the article is true.</summary>
    private static Query AssertTrueOfTheArticle(List<Query> failing, MatchDocument document, string reason)
    {
        var article = new AnalyzedDocument(document);
        Query Named(Func<Query, bool> which) =>
            failing.FirstOrDefault(which) ?? throw new Xunit.Sdk.XunitException($"\"{reason}\" names no failing part of the query ({string.Join(", ", failing)})");
        if (Excluded().Match(reason) is { Success: true } excluded)
        {
            Assert.Equal(excluded.Groups[1].Value, excluded.Groups[2].Value);
            var not = (NotQuery)Named(q => q is NotQuery n && DescribeScoped(n.Child) == excluded.Groups[1].Value);
            // The excluded part is indeed in the article.
            Assert.NotNull(QueryEvaluator.Evaluate(not.Child, document));
            return not;
        }
        if (NoneOf().Match(reason) is { Success: true } none)
        {
            var or = (OrQuery)Named(q => q is OrQuery o && string.Join(", ", o.Children.Select(DescribeScoped)) == none.Groups[1].Value);
            Assert.All(or.Children, c => Assert.Null(QueryEvaluator.Evaluate(c, document)));
            return or;
        }
        if (WordsApart().Match(reason) is { Success: true } apart)
        {
            var phrase = (PhraseQuery)Named(q => q is PhraseQuery p && Describe(p) == apart.Groups[1].Value);
            // Every word is there, in the phrase's field; only their places are wrong.
            Assert.All(phrase.Terms, t => Assert.Contains(article.PhraseTermOccurrences(t), o => o.In(phrase.Scope)));
            Assert.Equal(phrase.Distance == 0 ? "" : phrase.Distance.ToString(), apart.Groups[2].Value);
            Assert.Null(QueryEvaluator.Evaluate(phrase, document));
            return phrase;
        }
        if (NotFrom().Match(reason) is { Success: true } from)
        {
            var site = Named(q => q is SiteQuery s && s.Domain == from.Groups[1].Value);
            Assert.False(article.SiteMatches(((SiteQuery)site).Domain));
            return site;
        }
        var missing = NotIn().Match(reason);
        Assert.True(missing.Success, $"unexpected reason \"{reason}\"");
        var scope = missing.Groups[2].Value switch { "the title" => FieldScope.Title, "the text" => FieldScope.Body, _ => FieldScope.Any };
        var part = Named(q => Describe(q) == missing.Groups[1].Value && ScopeOf(q) == scope && QueryEvaluator.Evaluate(q, document) is null);
        // The missing word is indeed absent from the field the reason names.
        if (part is TermQuery term) Assert.DoesNotContain(article.Occurrences(term.Term), o => o.In(scope));
        return part;
    }

    private static FieldScope ScopeOf(Query query) => query switch
    {
        TermQuery t => t.Scope,
        PrefixQuery p => p.Scope,
        PhraseQuery p => p.Scope,
        _ => FieldScope.Any,
    };

    /// <summary>What a reason about a failing part quotes of it.</summary>
    private static string NameOf(Query part) => part switch
    {
        NotQuery n => DescribeScoped(n.Child),
        OrQuery o => string.Join(", ", o.Children.Select(DescribeScoped)),
        SiteQuery s => s.Domain,
        _ => Describe(part),
    };

    // How the product quotes a part (the sentences' wording is what these properties check, not re-derive).
    private static IEnumerable<Query> PositiveParts(Query query) => MatchExplanation.PositiveParts(query);

    private static string Describe(Query query) => MatchExplanation.Describe(query);

    private static string DescribeScoped(Query query) => MatchExplanation.DescribeScoped(query);

    private static string Text(MatchDocument document, Hit hit)
    {
        var text = hit.Field switch { DocumentField.Title => document.Title, DocumentField.Body => document.Body, _ => document.Site };
        return text.Substring(hit.Start, hit.Length);
    }

    [GeneratedRegex("^from (.+)$")] private static partial Regex FromSite();
    [GeneratedRegex("^(.+) in (?:the title|the text|the site)(?: and (?:the title|the text|the site))*$", RegexOptions.Singleline)] private static partial Regex FoundIn();
    [GeneratedRegex("^(.+) is not in (the title|the text|it)$", RegexOptions.Singleline)] private static partial Regex NotIn();
    [GeneratedRegex("^-(.+) excluded it \\((.+) is in it\\)$", RegexOptions.Singleline)] private static partial Regex Excluded();
    [GeneratedRegex("^none of (.+) is in it$", RegexOptions.Singleline)] private static partial Regex NoneOf();
    [GeneratedRegex("^the words of (.+) are in it, but not (?:next to each other in one sentence|within (\\d+) words of each other)$")] private static partial Regex WordsApart();
    [GeneratedRegex("^it is not from (.+)$")] private static partial Regex NotFrom();
}
