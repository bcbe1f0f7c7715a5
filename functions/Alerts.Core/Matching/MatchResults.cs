using System.Numerics;

namespace Alerts.Core.Matching;

/// <summary>
/// One article's matches (the results stage): decided by a posting during the candidate scan or by a program in
/// verification, each with its hits. A bitset over slots, so results come out in slot order by a scan rather than
/// a sort, where each matched slot's hits are, and the range of bitset words touched. Per-thread, reused.
/// </summary>
internal sealed class MatchResults
{
    private ulong[] _matchedBits = [];
    private int[] _matchAt = [];
    private Hit[][] _matchedHits = new Hit[64][];
    private int _matchedCount;
    private int[] _ordered = new int[64];
    private int _firstWord = int.MaxValue;
    private int _lastWord = -1;

    public int Count => _matchedCount;

    /// <param name="slotCount">Slots in the index.</param>
    /// <param name="capacity">Slots to make room for when growing (the candidate set's, a multiple of 64).</param>
    public void Begin(int slotCount, int capacity)
    {
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
            Array.Resize(ref _matchAt, capacity);
            Array.Resize(ref _matchedBits, capacity >> 6);
        }
    }

    /// <summary>Records a match; a slot matched again (another branch of an OR) gets the union of the hits.</summary>
    public void Add(int slot, Hit[] hits)
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

    /// <summary>The matches found since <see cref="Begin"/>, ordered by slot, with their subscription ids.</summary>
    public QueryMatch[] Take(string?[] ids)
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

    /// <summary>Sorted union of two sorted hit arrays (order and equality as <see cref="QueryEvaluator.Normalize"/>).</summary>
    public static Hit[] MergeHits(Hit[] a, Hit[] b)
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
}
