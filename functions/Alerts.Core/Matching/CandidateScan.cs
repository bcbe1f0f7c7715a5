using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Alerts.Core.Matching;

/// <summary>
/// The candidate scan (Lucene Monitor's presearcher, document side): walks the postings of every key the article
/// contains, plus the queries posted under no key. A posting whose <see cref="PostingKind"/> decides its branch
/// (one key, two keys, a key without another, a two-word phrase) is decided here, from the article's keys alone,
/// straight into the results; the rest become candidates for verification, once a confirm key they need is found.
/// Most matches at scale are decided here, without reading any program.
/// </summary>
internal static class CandidateScan
{
    public static void Run(IndexKeys keys, in Posting unindexed, MatchScratch s)
    {
        var article = s.Article;
        var postings = keys.Postings;
        for (var l = 0; l < article.LocalCount; l++)
            if (postings[article.LocalKeys[l]].Items is { } items) CachePrefetch.Line(ref MemoryMarshal.GetArrayDataReference(items));
        for (var l = 0; l < article.LocalCount; l++)
        {
            var key = article.LocalKeys[l];
            ref var posting = ref postings[key];
            if (posting.Items is { } items) AddPostings(items.AsSpan(0, 2 * posting.CountOrSlot), key, s);
            else if (posting.CountOrSlot != 0) AddPosting(posting.CountOrSlot - 1, posting.Info, key, article, s.Candidates, s.Results);
        }
        if (unindexed.Items is { } all) AddPostings(all.AsSpan(0, 2 * unindexed.CountOrSlot), -1, s);
        else if (unindexed.CountOrSlot != 0) AddPosting(unindexed.CountOrSlot - 1, unindexed.Info, -1, article, s.Candidates, s.Results);
    }

    /// <summary>Takes the (slot, info) pairs posted under <paramref name="key"/>, which occurs in the article.</summary>
    private static void AddPostings(ReadOnlySpan<int> pairs, int key, MatchScratch s)
    {
        var article = s.Article;
        var candidates = s.Candidates;
        var results = s.Results;
        for (var i = 0; i + 1 < pairs.Length; i += 2) AddPosting(pairs[i], pairs[i + 1], key, article, candidates, results);
    }

    /// <summary>Decides the slot's branch if its posting can, else makes the slot a candidate.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddPosting(int slot, int info, int key, ScannedArticle article, CandidateSet candidates, MatchResults results)
    {
        var other = PostingKind.Key(info);
        switch (PostingKind.Kind(info))
        {
            case PostingKind.Single:
                results.Add(slot, article.HitsOf(key));
                return;
            case PostingKind.Both:
                if (article.Has(other)) results.Add(slot, MatchResults.MergeHits(article.HitsOf(key), article.HitsOf(other)));
                return;
            case PostingKind.Without:
                if (!article.Has(other)) results.Add(slot, article.HitsOf(key));
                return;
            case PostingKind.PhraseFirst:
                if (article.Has(other) && article.PhraseHits(key, other) is { } after) results.Add(slot, after);
                return;
            case PostingKind.PhraseSecond:
                if (article.Has(other) && article.PhraseHits(other, key) is { } before) results.Add(slot, before);
                return;
        }
        if (other != PostingKind.NoKey && !article.Has(other)) return;
        candidates.Add(slot);
    }
}
