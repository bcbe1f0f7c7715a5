using System.Numerics;
using System.Runtime.CompilerServices;

namespace Alerts.Core.Matching;

/// <summary>
/// Per-thread working memory for <see cref="SubscriptionIndex.Match"/>: the article's occurrences grouped by key,
/// the candidate set, and the interpreter for compiled programs. Reused across articles so that matching allocates
/// little beyond its results. Key and slot bitsets are cleared word by word through the article's key and candidate lists.
/// </summary>
internal sealed class MatchScratch
{
    public readonly ArticleTokens Tokens = new();
    public readonly List<Hit> Hits = [];

    // Which keys occur in the article and which slots are already candidates: bitsets (a few KB at 100k
    // subscriptions, so the checks stay in the L1/L2 cache), cleared per article through the key and candidate lists.
    private ulong[] _keyBits = [];
    private int[] _keyLocal = [];
    private ulong[] _slotBits = [];

    public int[] LocalKeys = new int[256];
    public int LocalCount;
    private int[] _localCount = new int[256];
    private int[] _localOffset = new int[256];

    private int[] _rawLocal = new int[1024];
    private Occurrence[] _rawOcc = new Occurrence[1024];
    private int _rawCount;
    private Occurrence[] _grouped = new Occurrence[1024];

    // This article's matches: a bitset over slots (so results come out in slot order by a scan, not a sort),
    // where each matched slot's hits are, and the range of bitset words touched.
    private ulong[] _matchedBits = [];
    private int[] _matchAt = [];
    private Hit[][] _matchedHits = new Hit[64][];
    private int _matchedCount;
    private int[] _ordered = new int[64];
    private int _firstWord = int.MaxValue;
    private int _lastWord = -1;

    public int MatchedCount => _matchedCount;

    /// <summary>Records a match; a slot matched again (another branch of an OR) gets the union of the hits.</summary>
    public void AddMatch(int slot, Hit[] hits)
    {
        var w = slot >> 6;
        ref var word = ref _matchedBits[w];
        if ((word & (1UL << slot)) != 0)
        {
            ref var existing = ref _matchedHits[_matchAt[slot]];
            existing = MergeHits(existing, hits);
            return;
        }
        word |= 1UL << slot;
        if (w < _firstWord) _firstWord = w;
        if (w > _lastWord) _lastWord = w;
        if (_matchedCount == _matchedHits.Length) Array.Resize(ref _matchedHits, _matchedCount * 2);
        _matchAt[slot] = _matchedCount;
        _matchedHits[_matchedCount++] = hits;
    }

    /// <summary>The matches found since <see cref="Begin"/>, ordered by slot.</summary>
    public QueryMatch[] TakeResults(string?[] ids)
    {
        var n = _matchedCount;
        if (n == 0) return [];
        // Slots in order from the bitset; then the ids, scattered over a large array, are all requested before
        // the first is used.
        if (_ordered.Length < n) _ordered = new int[Math.Max(n, _ordered.Length * 2)];
        var ordered = _ordered;
        var k = 0;
        for (var w = _firstWord; w <= _lastWord; w++)
        {
            var bits = _matchedBits[w];
            if (bits == 0) continue;
            _matchedBits[w] = 0;
            do
            {
                var slot = w << 6 | BitOperations.TrailingZeroCount(bits);
                bits &= bits - 1;
                ordered[k++] = slot;
                CachePrefetch.Line(ref ids[slot]);
            } while (bits != 0);
        }
        var result = new QueryMatch[n];
        for (k = 0; k < n; k++)
        {
            var slot = ordered[k];
            result[k] = new QueryMatch(ids[slot]!, _matchedHits[_matchAt[slot]]);
        }
        Array.Clear(_matchedHits, 0, n);
        _matchedCount = 0;
        _firstWord = int.MaxValue;
        _lastWord = -1;
        return result;
    }

    // Hits of every occurrence of a key, built once per article and shared by all the queries whose hits are
    // exactly that key's (indexed by local key number; cleared per article).
    private Hit[]?[] _keyHits = new Hit[256][];

    public int[] Candidates = new int[256];
    public int CandidateCount;

    private int[] _nearPos = new int[64];
    private int[] _nearIndex = new int[64];
    private int[] _nearTerm = new int[64];
    private Occurrence[] _nearOcc = new Occurrence[64];
    private readonly int[] _nearHave = new int[QueryParser.MaxTerms + 1];
    private readonly int[] _nearNeed = new int[QueryParser.MaxTerms + 1];

    public void Begin(int keyCount, int slotCount)
    {
        for (var l = 0; l < LocalCount; l++) _keyBits[LocalKeys[l] >> 6] = 0;
        for (var i = 0; i < CandidateCount; i++) _slotBits[Candidates[i] >> 6] = 0;
        if (_keyLocal.Length < keyCount)
        {
            var size = Math.Max(keyCount, _keyLocal.Length * 2);
            Array.Resize(ref _keyLocal, size);
            Array.Resize(ref _keyBits, (size + 63) >> 6);
        }
        if (_slotBits.Length * 64 < slotCount) Array.Resize(ref _slotBits, (Math.Max(slotCount, _slotBits.Length * 128) + 63) >> 6);
        if (_matchedCount > 0)
        {
            // Matches not taken (diagnostics): clear their bits.
            Array.Clear(_matchedBits, _firstWord, _lastWord - _firstWord + 1);
            Array.Clear(_matchedHits, 0, _matchedCount);
            _matchedCount = 0;
            _firstWord = int.MaxValue;
            _lastWord = -1;
        }
        if (_matchAt.Length < slotCount)
        {
            Array.Resize(ref _matchAt, _slotBits.Length * 64);
            Array.Resize(ref _matchedBits, _slotBits.Length);
        }
        Array.Clear(_keyHits, 0, Math.Min(LocalCount, _keyHits.Length));
        LocalCount = 0;
        _rawCount = 0;
        CandidateCount = 0;
    }

    public void Record(int key, Occurrence occurrence)
    {
        int local;
        if ((_keyBits[key >> 6] & (1UL << key)) != 0) local = _keyLocal[key];
        else
        {
            _keyBits[key >> 6] |= 1UL << key;
            local = LocalCount++;
            _keyLocal[key] = local;
            if (local == LocalKeys.Length)
            {
                Array.Resize(ref LocalKeys, local * 2);
                Array.Resize(ref _localCount, local * 2);
                Array.Resize(ref _localOffset, local * 2);
                Array.Resize(ref _keyHits, local * 2);
            }
            LocalKeys[local] = key;
            _localCount[local] = 0;
        }
        if (_rawCount == _rawOcc.Length)
        {
            Array.Resize(ref _rawOcc, _rawCount * 2);
            Array.Resize(ref _rawLocal, _rawCount * 2);
        }
        _rawLocal[_rawCount] = local;
        _rawOcc[_rawCount++] = occurrence;
        _localCount[local]++;
    }

    /// <summary>Counting sort of the occurrences by key; stays in position order within a key.</summary>
    public void Group()
    {
        if (_grouped.Length < _rawCount) _grouped = new Occurrence[_rawOcc.Length];
        var offset = 0;
        for (var l = 0; l < LocalCount; l++)
        {
            _localOffset[l] = offset;
            offset += _localCount[l];
        }
        for (var i = 0; i < _rawCount; i++)
            _grouped[_localOffset[_rawLocal[i]]++] = _rawOcc[i];
        for (var l = 0; l < LocalCount; l++) _localOffset[l] -= _localCount[l];
    }

    /// <summary>Takes the (slot, info) pairs posted under <paramref name="key"/>, which occurs in the article:
    /// decides the queries their posting can decide and collects the others as candidates for verification.</summary>
    public void AddPostings(ReadOnlySpan<int> pairs, int key)
    {
        for (var i = 0; i + 1 < pairs.Length; i += 2) AddPosting(pairs[i], pairs[i + 1], key);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void AddPosting(int slot, int info, int key)
    {
        var other = PostingKind.Key(info);
        switch (PostingKind.Kind(info))
        {
            case PostingKind.Single:
                AddMatch(slot, HitsOf(key));
                return;
            case PostingKind.Both:
                if (Has(other)) AddMatch(slot, MergeHits(HitsOf(key), HitsOf(other)));
                return;
            case PostingKind.Without:
                if (!Has(other)) AddMatch(slot, HitsOf(key));
                return;
            case PostingKind.PhraseFirst:
                if (Has(other) && PhraseHits(key, other) is { } after) AddMatch(slot, after);
                return;
            case PostingKind.PhraseSecond:
                if (Has(other) && PhraseHits(other, key) is { } before) AddMatch(slot, before);
                return;
        }
        if (other != PostingKind.NoKey && !Has(other)) return;
        ref var word = ref _slotBits[slot >> 6];
        if ((word & (1UL << slot)) != 0) return;
        word |= 1UL << slot;
        if (CandidateCount == Candidates.Length) Array.Resize(ref Candidates, CandidateCount * 2);
        Candidates[CandidateCount++] = slot;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private bool Has(int key) => (_keyBits[key >> 6] & (1UL << key)) != 0;

    /// <summary>Sorted union of two sorted hit arrays (order and equality as <see cref="QueryEvaluator.Normalize"/>).</summary>
    private static Hit[] MergeHits(Hit[] a, Hit[] b)
    {
        var merged = new Hit[a.Length + b.Length];
        int i = 0, j = 0, n = 0;
        while (i < a.Length && j < b.Length)
        {
            var c = QueryEvaluator.Compare(a[i], b[j]);
            if (c <= 0)
            {
                merged[n++] = a[i++];
                if (c == 0) j++;
            }
            else merged[n++] = b[j++];
        }
        while (i < a.Length) merged[n++] = a[i++];
        while (j < b.Length) merged[n++] = b[j++];
        return n == merged.Length ? merged : merged[..n];
    }

    /// <summary>Hits of the two-word phrase "first second", or null when it does not occur.</summary>
    private Hit[]? PhraseHits(int first, int second)
    {
        var a = Occurrences(first);
        var b = Occurrences(second);
        var count = 0;
        Span<Hit> found = stackalloc Hit[Math.Min(a.Length, 32)];
        List<Hit>? more = null;
        for (var i = 0; i < a.Length; i++)
        {
            // A joined hyphenated word spans several positions: the second word follows its last one.
            var j = FindPosition(b, a[i].EndPosition + 1);
            if (j < 0) continue;
            var hit = new Hit(a[i].Field, a[i].Start, b[j].Start + b[j].Length - a[i].Start);
            if (count < found.Length) found[count] = hit;
            else (more ??= [.. found]).Add(hit);
            count++;
        }
        if (count == 0) return null;
        return more is null ? found[..count].ToArray() : more.ToArray();
    }

    /// <summary>Hits for every occurrence of a key: already in (field, start) order, since title positions
    /// precede body positions.</summary>
    public Hit[] HitsOf(int key)
    {
        var local = _keyLocal[key];
        if (_keyHits[local] is { } cached) return cached;
        var occurrences = Occurrences(key);
        var hits = _keyHits[local] = new Hit[occurrences.Length];
        for (var i = 0; i < hits.Length; i++)
        {
            ref readonly var o = ref occurrences[i];
            hits[i] = new Hit(o.Field, o.Start, o.Length);
        }
        return hits;
    }

    private ReadOnlySpan<Occurrence> Occurrences(int key)
    {
        if ((_keyBits[key >> 6] & (1UL << key)) == 0) return default;
        var local = _keyLocal[key];
        return _grouped.AsSpan(_localOffset[local], _localCount[local]);
    }

    private static bool InScope(in Occurrence o, int scope) => scope switch
    {
        (int)FieldScope.Title => o.Field == DocumentField.Title,
        (int)FieldScope.Body => o.Field == DocumentField.Body,
        _ => true,
    };

    /// <summary>Does the program node at <paramref name="at"/> match? Short-circuits; no hits.</summary>
    public bool Eval(int[] p, int at)
    {
        var head = p[at];
        switch (head & 0xFF)
        {
            case Op.Key:
            {
                var occ = Occurrences(p[at + 1]);
                if (occ.IsEmpty) return false;
                // Occurrences are in position order and title positions precede body positions.
                return (head >> 8) switch
                {
                    (int)FieldScope.Title => occ[0].Field == DocumentField.Title,
                    (int)FieldScope.Body => occ[^1].Field == DocumentField.Body,
                    _ => true,
                };
            }
            case Op.Phrase:
                return Phrase(p, at, collect: false);
            case Op.Near:
                return Near(p, at, collect: false);
            case Op.And:
            {
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += Op.Length(p, c))
                    if (!Eval(p, c)) return false;
                return true;
            }
            case Op.Or:
            {
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += Op.Length(p, c))
                    if (Eval(p, c)) return true;
                return false;
            }
            default:
                return !Eval(p, at + 2);
        }
    }

    /// <summary>Like <see cref="Eval"/>, adding every positive occurrence that takes part in the match to <see cref="Hits"/>.</summary>
    public bool Collect(int[] p, int at)
    {
        var head = p[at];
        switch (head & 0xFF)
        {
            case Op.Key:
            {
                var scope = head >> 8;
                var any = false;
                foreach (ref readonly var o in Occurrences(p[at + 1]))
                {
                    if (!InScope(o, scope)) continue;
                    any = true;
                    Hits.Add(new Hit(o.Field, o.Start, o.Length));
                }
                return any;
            }
            case Op.Phrase:
                return Phrase(p, at, collect: true);
            case Op.Near:
                return Near(p, at, collect: true);
            case Op.And:
            {
                var mark = Hits.Count;
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += Op.Length(p, c))
                {
                    if (Collect(p, c)) continue;
                    Hits.RemoveRange(mark, Hits.Count - mark);
                    return false;
                }
                return true;
            }
            case Op.Or:
            {
                var any = false;
                var n = p[at + 1];
                var c = at + 3;
                for (var i = 0; i < n; i++, c += Op.Length(p, c))
                    any |= Collect(p, c);
                return any;
            }
            default:
                return !Eval(p, at + 2);
        }
    }

    private bool Phrase(int[] p, int at, bool collect)
    {
        var scope = p[at] >> 8;
        var n = p[at + 1];
        var keys = at + 2;
        for (var i = 1; i < n; i++)
            if (Occurrences(p[keys + i]).IsEmpty) return false;
        var any = false;
        foreach (ref readonly var first in Occurrences(p[keys]))
        {
            if (!InScope(first, scope)) continue;
            var last = first;
            var ok = true;
            for (var i = 1; i < n && ok; i++)
            {
                var next = Occurrences(p[keys + i]);
                var found = FindPosition(next, last.EndPosition + 1);
                if (found < 0) ok = false;
                else last = next[found];
            }
            if (!ok) continue;
            if (!collect) return true;
            any = true;
            Hits.Add(new Hit(first.Field, first.Start, last.Start + last.Length - first.Start));
        }
        return any;
    }

    private static int FindPosition(ReadOnlySpan<Occurrence> occurrences, int position)
    {
        int lo = 0, hi = occurrences.Length - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var p = occurrences[mid].Position;
            if (p == position) return mid;
            if (p < position) lo = mid + 1;
            else hi = mid - 1;
        }
        return -1;
    }

    /// <summary>Sliding window over the words' merged positions: a window [p, p + distance] starting at an
    /// occurrence must hold each word as often as the query repeats it (same definition as the evaluator).</summary>
    private bool Near(int[] p, int at, bool collect)
    {
        var scope = p[at] >> 8;
        var n = p[at + 1];
        var distance = p[at + 2];
        var total = 0;
        for (var t = 0; t < n; t++)
        {
            var occ = Occurrences(p[at + 3 + 2 * t]);
            var need = p[at + 4 + 2 * t];
            if (occ.Length < need) return false;
            var inScope = 0;
            foreach (ref readonly var o in occ)
            {
                if (!InScope(o, scope)) continue;
                inScope++;
                if (total == _nearPos.Length)
                {
                    Array.Resize(ref _nearPos, total * 2);
                    Array.Resize(ref _nearIndex, total * 2);
                    Array.Resize(ref _nearTerm, total * 2);
                    Array.Resize(ref _nearOcc, total * 2);
                }
                _nearPos[total] = o.Position;
                _nearIndex[total] = total;
                _nearTerm[total] = t;
                _nearOcc[total] = o;
                total++;
            }
            if (inScope < need) return false;
            _nearNeed[t] = need;
            _nearHave[t] = 0;
        }
        Array.Sort(_nearPos, _nearIndex, 0, total);
        var any = false;
        var j = 0;
        // Windows overlap: each occurrence is added once (the first window that holds it), so collecting stays
        // linear in the occurrences instead of occurrences x distance, and the hits are the same set.
        var added = 0;
        for (var i = 0; i < total; i++)
        {
            var limit = _nearPos[i] + distance;
            while (j < total && _nearPos[j] <= limit) _nearHave[_nearTerm[_nearIndex[j++]]]++;
            var ok = true;
            for (var t = 0; t < n && ok; t++) ok = _nearHave[t] >= _nearNeed[t];
            if (ok)
            {
                if (!collect) return true;
                any = true;
                for (var k = Math.Max(i, added); k < j; k++)
                {
                    ref readonly var o = ref _nearOcc[_nearIndex[k]];
                    Hits.Add(new Hit(o.Field, o.Start, o.Length));
                }
                added = j;
            }
            _nearHave[_nearTerm[_nearIndex[i]]]--;
        }
        return any;
    }
}
