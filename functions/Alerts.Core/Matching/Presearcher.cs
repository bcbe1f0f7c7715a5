namespace Alerts.Core.Matching;

/// <summary>
/// Key extraction (Lucene Monitor's presearcher, query side): the keys a query is posted under, chosen so that
/// every article the query matches contains at least one of them, and what each posting says (its
/// <see cref="PostingKind"/>). An article then only has to look at the queries posted under its own words
/// (<see cref="CandidateScan"/>). A query no key can find (e.g. <c>-sports</c>) gets no postings and is checked
/// against every article. Interns the keys it needs (write lock held).
/// </summary>
internal readonly struct Presearcher(IndexKeys keys)
{
    /// <summary>The distinct (key, info) postings of a query; empty when it must be checked for every article.</summary>
    public List<(int Key, int Info)> Postings(Query query)
    {
        var postings = new List<(int Key, int Info)>();
        if (!AddBranch(query, postings)) postings.Clear();
        return postings.Distinct().ToList();
    }

    /// <summary>
    /// The postings of one branch of the query (each alternative of a top-level OR is a branch): the branch
    /// matches only if one of its required keys occurs. False when the branch can match without any key
    /// (e.g. a NOT), so the whole query has to be checked for every article.
    /// </summary>
    private bool AddBranch(Query branch, List<(int Key, int Info)> postings, int veto = -1)
    {
        if (branch is OrQuery or)
        {
            foreach (var child in or.Children)
                if (!AddBranch(child, postings, veto)) return false;
            return true;
        }
        // "X AND NOT k" ("X -k"): each alternative of X is a branch that k vetoes.
        if (veto < 0 && branch is AndQuery { Children.Count: 2 } and)
        {
            var (x, n) = and.Children[1] is NotQuery ? (and.Children[0], and.Children[1]) : (and.Children[1], and.Children[0]);
            if (x is not NotQuery && n is NotQuery { Child: var negated } && PlainKey(negated) is { } vetoKey)
                return AddBranch(x, postings, vetoKey);
        }
        if (Required(branch) is not { } required) return false;
        var branchKeys = required.Keys.Distinct().ToArray();
        var info = veto < 0 ? PostingInfo(branch, branchKeys, required)
            : branchKeys.Length == 1 && PlainKey(branch) == branchKeys[0] ? PostingKind.Pack(PostingKind.Without, veto)
            : VerifyInfo(branchKeys, required);
        foreach (var key in branchKeys) postings.Add((key, info));
        return true;
    }

    /// <summary>
    /// What a branch's posting says: most branches are one key, two keys, or a two-word phrase (or, with a
    /// veto, a key without another: see AddBranch), and the posting alone decides them (no program read, which at a million
    /// subscriptions is a cache miss or two per candidate). Others are verified by the whole query's program,
    /// once a second key every match of the branch must contain (the confirm key) was found in the article.
    /// </summary>
    private int PostingInfo(Query query, int[] branchKeys, KeySet required)
    {
        if (branchKeys.Length == 1 && PlainKey(query) == branchKeys[0]) return PostingKind.Pack(PostingKind.Single, branchKeys[0]);
        if (branchKeys.Length == 1 && query is AndQuery { Children.Count: 2 } and)
        {
            var (a, b) = (and.Children[0], and.Children[1]);
            if (PlainKey(a) is { } ka && PlainKey(b) is { } kb && ka != kb)
                return PostingKind.Pack(PostingKind.Both, ka == branchKeys[0] ? kb : ka);
        }
        if (branchKeys.Length == 1 && query is PhraseQuery { Distance: 0, Scope: FieldScope.Any, Terms.Count: 2 } phrase)
        {
            var first = keys.InternPhraseTerm(phrase.Terms[0]);
            var second = keys.InternPhraseTerm(phrase.Terms[1]);
            return first == branchKeys[0]
                ? PostingKind.Pack(PostingKind.PhraseFirst, second)
                : PostingKind.Pack(PostingKind.PhraseSecond, first);
        }
        return VerifyInfo(branchKeys, required);
    }

    /// <summary>Verify by the program, after a second key every match of the branch must contain: most
    /// candidates that share one word with an AND or phrase lack the other.</summary>
    private static int VerifyInfo(int[] branchKeys, KeySet required)
    {
        var confirm = required.Musts.Where(m => !(branchKeys.Length == 1 && m.Key == branchKeys[0])).OrderBy(m => m.Cost).Select(m => m.Key).FirstOrDefault(-1);
        return PostingKind.Pack(PostingKind.Verify, confirm < 0 ? PostingKind.NoKey : confirm);
    }

    /// <summary>The key of a word or prefix in any field, of a word in the title, or of a site: such a query
    /// matches exactly when its key occurs, and its hits are the key's occurrences.</summary>
    private int? PlainKey(Query query) => query switch
    {
        TermQuery { Scope: FieldScope.Any } t => keys.InternWord(t.Term),
        TermQuery { Scope: FieldScope.Title } t => keys.InternTitleWord(t.Term),
        PrefixQuery { Scope: FieldScope.Any } p => keys.InternPrefix(p.Prefix),
        SiteQuery s => keys.InternSite(s.Domain),
        _ => null,
    };

    /// <summary>Keys of which a match contains at least one, and <see cref="Musts"/> that every match contains.</summary>
    private readonly record struct KeySet(List<int> Keys, double Cost, List<(int Key, double Cost)> Musts)
    {
        public static KeySet Single(int key, double cost) => new([key], cost, [(key, cost)]);
    }

    /// <summary>
    /// Keys of which any match must contain one: a word for a term or phrase, the union for OR, the cheapest
    /// child for AND; null when a query can match without any positive word (NOT).
    /// </summary>
    private KeySet? Required(Query query)
    {
        switch (query)
        {
            case TermQuery { Scope: FieldScope.Title } t:
                // Titles are short: a word in the title is rarer than the word anywhere.
                return KeySet.Single(keys.InternTitleWord(t.Term), keys.WordCost(t.Term) / 8);
            case TermQuery t:
                return KeySet.Single(keys.InternWord(t.Term), keys.WordCost(t.Term));
            case PrefixQuery p:
                // A prefix stands for many words: costlier than a word of the same length.
                return KeySet.Single(keys.InternPrefix(p.Prefix), 8 * keys.WordCost(p.Prefix));
            case SiteQuery s:
                return KeySet.Single(keys.InternSite(s.Domain), 1.0);
            case PhraseQuery p:
            {
                var musts = new List<(int Key, double Cost)>();
                foreach (var term in p.Terms) musts.Add((keys.InternPhraseTerm(term), keys.PhraseTermCost(term)));
                var best = musts.MinBy(m => m.Cost);
                return new KeySet([best.Key], best.Cost, musts);
            }
            case AndQuery a:
            {
                KeySet? best = null;
                var musts = new List<(int, double)>();
                foreach (var child in a.Children)
                {
                    if (Required(child) is not { } set) continue;
                    musts.AddRange(set.Musts);
                    if (best is null || set.Cost < best.Value.Cost) best = set;
                }
                return best is { } b ? b with { Musts = musts } : null;
            }
            case OrQuery o:
            {
                var branchKeys = new List<int>();
                var cost = 0.0;
                foreach (var child in o.Children)
                {
                    if (Required(child) is not { } set) return null;
                    branchKeys.AddRange(set.Keys);
                    cost += set.Cost;
                }
                return new KeySet(branchKeys, cost, []);
            }
            default:
                return null;
        }
    }
}
