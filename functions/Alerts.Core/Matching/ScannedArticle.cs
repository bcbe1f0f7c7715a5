using System.Runtime.CompilerServices;

namespace Alerts.Core.Matching;

/// <summary>
/// One article as the index sees it after the scan (<see cref="ArticleScanner"/>): which of the index's keys occur
/// in it, and each key's occurrences in position order. Candidate scan and verification read nothing else of the
/// article. Keys are numbered locally in the order found (<see cref="LocalKeys"/>), so per-article work is
/// proportional to the article, not the index. Per-thread and reused: the key bitset (a few KB even for a large
/// vocabulary, so its checks stay in cache) is cleared word by word through <see cref="LocalKeys"/>.
/// </summary>
internal sealed class ScannedArticle
{
    private ulong[] _keyBits = [];
    private int[] _keyLocal = [];

    /// <summary>The keys found, by local number.</summary>
    public int[] LocalKeys = new int[256];
    public int LocalCount;
    private int[] _localCount = new int[256];
    private int[] _localOffset = new int[256];

    private int[] _rawLocal = new int[1024];
    private Occurrence[] _rawOcc = new Occurrence[1024];
    private int _rawCount;
    private Occurrence[] _grouped = new Occurrence[1024];

    // Hits of every occurrence of a key, built once per article and shared by all the queries whose hits are
    // exactly that key's (indexed by local key number; cleared per article).
    private Hit[]?[] _keyHits = new Hit[256][];

    public void Begin(int keyCount)
    {
        for (var l = 0; l < LocalCount; l++) _keyBits[LocalKeys[l] >> 6] = 0;
        if (_keyLocal.Length < keyCount)
        {
            var size = Math.Max(keyCount, _keyLocal.Length * 2);
            Array.Resize(ref _keyLocal, size);
            Array.Resize(ref _keyBits, (size + 63) >> 6);
        }
        Array.Clear(_keyHits, 0, Math.Min(LocalCount, _keyHits.Length));
        LocalCount = 0;
        _rawCount = 0;
    }

    /// <summary>Records an occurrence of a key; occurrences come in position order.</summary>
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

    /// <summary>Ends the scan: a counting sort of the occurrences by key, staying in position order within a key.</summary>
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

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool Has(int key) => (_keyBits[key >> 6] & (1UL << key)) != 0;

    /// <summary>A key's occurrences in position order (title positions precede body positions); empty when absent.</summary>
    public ReadOnlySpan<Occurrence> Occurrences(int key)
    {
        if ((_keyBits[key >> 6] & (1UL << key)) == 0) return default;
        var local = _keyLocal[key];
        return _grouped.AsSpan(_localOffset[local], _localCount[local]);
    }

    /// <summary>Hits for every occurrence of a key (which occurs): already in (field, start) order, since title
    /// positions precede body positions.</summary>
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

    /// <summary>Hits of the two-word phrase "first second", or null when it does not occur.</summary>
    public Hit[]? PhraseHits(int first, int second)
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

    /// <summary>The index of the occurrence at <paramref name="position"/> (binary search), or -1.</summary>
    public static int FindPosition(ReadOnlySpan<Occurrence> occurrences, int position)
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
}
