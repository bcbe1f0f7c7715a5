using System.Runtime.InteropServices;

namespace Alerts.Core.Matching;

/// <summary>
/// The compiled matching engine (in the spirit of Lucene's Monitor / the Elasticsearch percolator).
/// Each query is compiled to a small int program and indexed under a minimal set of "required keys" (words,
/// prefixes, sites) of which every matching article must contain at least one. An article is tokenised once; only
/// the queries posted under its keys (plus the few queries without required keys, e.g. purely negative ones) are
/// verified, against per-key occurrence lists. Upsert/Remove are incremental. Match takes a read lock, writers a
/// write lock, so concurrent matching is safe; results are ordered by subscription id (ordinal).
/// </summary>
public sealed class SubscriptionIndex : ISubscriptionIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly Func<string, double>? _termWeight;

    // Interned keys; words, prefixes and sites share one dense id space. Keys are never removed (bounded by vocabulary).
    private readonly Dictionary<string, int> _words = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _prefixes = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _sites = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _wordLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _prefixLookup;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _siteLookup;
    private int _keyCount;
    private int _maxPrefixLength;
    // Which ASCII 3-character stems start some prefix: skips the prefix lookups for most tokens.
    private readonly bool[] _prefixStems = new bool[StemSpace];
    private bool _nonAsciiPrefixes;
    private Posting[] _postings = new Posting[256];

    // Subscriptions live in slots; a slot's program starts with its required keys.
    private readonly Dictionary<string, int> _slotById = new(StringComparer.Ordinal);
    private string?[] _ids = new string?[256];
    // All programs in one arena (no per-subscription array header, programs of nearby slots close together);
    // _programAt[slot] is where a slot's program starts. Removed programs leave holes until compaction.
    private int[] _code = new int[1024];
    private int _codeLength;
    private int _codeGarbage;
    private int[] _programAt = new int[256];
    private int _slotCount;
    private readonly Stack<int> _freeSlots = new();
    private Posting _unindexed; // queries no required key can find (e.g. "-sports")
    // True while ascending slot numbers mean ascending ids, so results need no string sort.
    private bool _slotsInIdOrder = true;

    [ThreadStatic] private static MatchScratch? t_scratch;

    /// <param name="termWeight">Optional estimate of how common a folded word is (e.g. document frequency); the
    /// compiler indexes AND queries under their rarest part. Without it longer words count as rarer.</param>
    public SubscriptionIndex(Func<string, double>? termWeight = null)
    {
        _termWeight = termWeight;
        _wordLookup = _words.GetAlternateLookup<ReadOnlySpan<char>>();
        _prefixLookup = _prefixes.GetAlternateLookup<ReadOnlySpan<char>>();
        _siteLookup = _sites.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _slotById.Count; } finally { _lock.ExitReadLock(); }
        }
    }

    public void Upsert(string subscriptionId, string query)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        var parsed = QueryParser.Parse(query);
        _lock.EnterWriteLock();
        try
        {
            if (_slotById.TryGetValue(subscriptionId, out var existing)) FreeSlot(existing);
            var program = new ProgramCompiler(this).Compile(parsed);
            // Before the slot is taken: appending may compact the arena, which walks the live slots.
            var at = Append(program);
            var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotCount++;
            if (slot >= _ids.Length)
            {
                Array.Resize(ref _ids, _ids.Length * 2);
                Array.Resize(ref _programAt, _programAt.Length * 2);
            }
            if (_slotsInIdOrder) _slotsInIdOrder = FitsOrder(slot, subscriptionId);
            // Reuse the dictionary's string instance: one copy of the id per subscription.
            _ids[slot] = subscriptionId;
            _programAt[slot] = at;
            _slotById[subscriptionId] = slot;
            var keyCount = program[0];
            var confirm = program[keyCount + 1];
            if (keyCount == 0) _unindexed.Add(slot, confirm);
            for (var i = 1; i <= keyCount; i++) _postings[program[i]].Add(slot, confirm);
        }
        finally { _lock.ExitWriteLock(); }
    }

    public bool Remove(string subscriptionId)
    {
        _lock.EnterWriteLock();
        try
        {
            if (!_slotById.TryGetValue(subscriptionId, out var slot)) return false;
            FreeSlot(slot);
            return true;
        }
        finally { _lock.ExitWriteLock(); }
    }

    private static int ProgramLength(int[] code, int at)
    {
        var root = at + code[at] + 2;
        return root - at + Op.Length(code, root);
    }

    /// <summary>Appends a program to the arena (write lock held), compacting it first when more than half is
    /// holes left by removed programs. Grows by 1.25× to keep the slack small.</summary>
    private int Append(int[] program)
    {
        if (_codeGarbage > 1024 && _codeGarbage > _codeLength / 2) Compact();
        if (_codeLength + program.Length > _code.Length)
            Array.Resize(ref _code, Math.Max(_codeLength + program.Length, _code.Length + (_code.Length >> 2)));
        var at = _codeLength;
        program.CopyTo(_code, at);
        _codeLength += program.Length;
        return at;
    }

    private void Compact()
    {
        var code = new int[Math.Max(1024, _codeLength - _codeGarbage + (_codeLength - _codeGarbage >> 2))];
        var length = 0;
        for (var slot = 0; slot < _slotCount; slot++)
        {
            if (_ids[slot] is null) continue;
            var at = _programAt[slot];
            var n = ProgramLength(_code, at);
            Array.Copy(_code, at, code, length, n);
            _programAt[slot] = length;
            length += n;
        }
        _code = code;
        _codeLength = length;
        _codeGarbage = 0;
    }

    /// <summary>Is <paramref name="id"/> between the ids of the nearest live slots around <paramref name="slot"/>?
    /// Gives up (false) after a short scan, which only costs the id sort in Match.</summary>
    private bool FitsOrder(int slot, string id)
    {
        for (int i = slot - 1, steps = 0; i >= 0; i--, steps++)
        {
            if (steps > 64) return false;
            if (_ids[i] is { } below) { if (string.CompareOrdinal(below, id) >= 0) return false; break; }
        }
        for (int i = slot + 1, steps = 0; i < _slotCount; i++, steps++)
        {
            if (steps > 64) return false;
            if (_ids[i] is { } above) { if (string.CompareOrdinal(above, id) <= 0) return false; break; }
        }
        return true;
    }

    private void FreeSlot(int slot)
    {
        var at = _programAt[slot];
        var keyCount = _code[at];
        if (keyCount == 0) _unindexed.Remove(slot);
        for (var i = 1; i <= keyCount; i++) _postings[_code[at + i]].Remove(slot);
        _codeGarbage += ProgramLength(_code, at);
        _slotById.Remove(_ids[slot]!);
        _ids[slot] = null;
        _programAt[slot] = -1;
        _freeSlots.Push(slot);
    }

    public IReadOnlyList<QueryMatch> Match(MatchDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var s = t_scratch ??= new MatchScratch();
        _lock.EnterReadLock();
        try
        {
            s.Begin(_keyCount, _slotCount);
            Analyze(document, s);
            CollectCandidates(s);
            for (var i = 0; i < s.DirectCount; i++) s.AddMatch(s.DirectSlots[i], s.HitsOf(s.DirectKeys[i]));
            var candidates = s.Candidates;
            for (var i = 0; i < s.CandidateCount; i++)
            {
                var slot = candidates[i];
                var at = _programAt[slot];
                // Collecting decides the match too (most candidates match), so there is no separate yes/no pass.
                s.Hits.Clear();
                if (!s.Collect(_code, at + _code[at] + 2)) continue;
                s.AddMatch(slot, QueryEvaluator.Normalize(s.Hits));
            }
            var result = s.TakeResults(_ids);
            // Slots are usually in id order (bulk loads come sorted); otherwise sort by id.
            if (!_slotsInIdOrder && result.Length > 1) Array.Sort(result, static (a, b) => string.CompareOrdinal(a.SubscriptionId, b.SubscriptionId));
            return result;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Diagnostics for benchmarks: how many queries an article makes the engine consider.</summary>
    internal int CandidateCount(MatchDocument document)
    {
        var s = t_scratch ??= new MatchScratch();
        _lock.EnterReadLock();
        try
        {
            s.Begin(_keyCount, _slotCount);
            Analyze(document, s);
            CollectCandidates(s);
            return s.CandidateCount + s.DirectCount;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Diagnostics for benchmarks: runs only the first stages of matching (1 analysis, 2 plus candidate
    /// collection, 3 plus verification without building results) and returns how many queries passed.</summary>
    internal int Probe(MatchDocument document, int stages)
    {
        var s = t_scratch ??= new MatchScratch();
        _lock.EnterReadLock();
        try
        {
            s.Begin(_keyCount, _slotCount);
            Analyze(document, s);
            if (stages < 2) return s.LocalCount;
            CollectCandidates(s);
            if (stages < 3) return s.CandidateCount + s.DirectCount;
            var matched = s.DirectCount;
            for (var i = 0; i < s.CandidateCount; i++)
            {
                var at = _programAt[s.Candidates[i]];
                if (s.Eval(_code, at + _code[at] + 2)) matched++;
            }
            return matched;
        }
        finally { _lock.ExitReadLock(); }
    }

    private void Analyze(MatchDocument document, MatchScratch s)
    {
        AnalyzeField(document.Title ?? "", DocumentField.Title, 0, s);
        AnalyzeField(document.Body ?? "", DocumentField.Body, AnalyzedDocument.BodyBase, s);
        if (_sites.Count > 0 && !string.IsNullOrEmpty(document.Site))
        {
            var (host, start, length) = TextAnalyzer.SiteHost(document.Site);
            var span = host.AsSpan();
            while (span.Length > 0)
            {
                if (_siteLookup.TryGetValue(span, out var key)) s.Record(key, new Occurrence(0, start, length, DocumentField.Site));
                var dot = span.IndexOf('.');
                if (dot < 0) break;
                span = span[(dot + 1)..];
            }
        }
        s.Group();
    }

    private void AnalyzeField(string text, DocumentField field, int position, MatchScratch s)
    {
        var scanner = new TokenScanner(text);
        var buffer = s.FoldBuffer;
        var checkPrefixes = _maxPrefixLength > 0;
        while (scanner.Next(out var start, out var length))
        {
            var folded = TextAnalyzer.Fold(text.AsSpan(start, length), buffer, out _);
            if (folded.Length == 0) continue;
            var occurrence = new Occurrence(position++, start, length, field);
            if (_wordLookup.TryGetValue(folded, out var key)) s.Record(key, occurrence);
            if (!checkPrefixes || folded.Length < QueryParser.MinPrefixLength) continue;
            var stem = StemCode(folded);
            if (stem >= 0 ? !_prefixStems[stem] : !_nonAsciiPrefixes) continue;
            var max = Math.Min(folded.Length, _maxPrefixLength);
            for (var len = QueryParser.MinPrefixLength; len <= max; len++)
                if (_prefixLookup.TryGetValue(folded[..len], out var prefixKey)) s.Record(prefixKey, occurrence);
        }
    }

    private void CollectCandidates(MatchScratch s)
    {
        for (var l = 0; l < s.LocalCount; l++)
        {
            var key = s.LocalKeys[l];
            ref var posting = ref _postings[key];
            if (posting.Items is { } items) s.AddCandidates(items.AsSpan(0, 2 * posting.CountOrSlot), key);
            else if (posting.CountOrSlot != 0) s.AddCandidate(posting.CountOrSlot - 1, posting.Confirm, key);
        }
        if (_unindexed.Items is { } all) s.AddCandidates(all.AsSpan(0, 2 * _unindexed.CountOrSlot), -1);
        else if (_unindexed.CountOrSlot != 0) s.AddCandidate(_unindexed.CountOrSlot - 1, _unindexed.Confirm, -1);
    }

    private const int StemSpace = 37 * 37 * 37;

    /// <summary>Code of the first 3 characters if they are [a-z0-9], else -1.</summary>
    private static int StemCode(ReadOnlySpan<char> folded)
    {
        var code = 0;
        for (var i = 0; i < 3; i++)
        {
            var c = folded[i];
            int v = c is >= 'a' and <= 'z' ? c - 'a' + 1 : c is >= '0' and <= '9' ? c - '0' + 27 : -1;
            if (v < 0) return -1;
            code = code * 37 + v;
        }
        return code;
    }

    // ---- key interning (write lock held) ----

    private int InternWord(string term) => Intern(_words, term);

    private int InternSite(string domain) => Intern(_sites, domain);

    private int InternPrefix(string prefix)
    {
        var key = Intern(_prefixes, prefix);
        _maxPrefixLength = Math.Max(_maxPrefixLength, prefix.Length);
        var stem = StemCode(prefix);
        if (stem >= 0) _prefixStems[stem] = true;
        else _nonAsciiPrefixes = true;
        return key;
    }

    private int Intern(Dictionary<string, int> keys, string text)
    {
        ref var slot = ref CollectionsMarshal.GetValueRefOrAddDefault(keys, text, out var exists);
        if (exists) return slot;
        slot = _keyCount++;
        if (slot >= _postings.Length) Array.Resize(ref _postings, _postings.Length * 2);
        return slot;
    }

    private double WordCost(string term) =>
        _termWeight?.Invoke(term) ?? 1.0 / ((term.Length + 1.0) * (term.Length + 1.0));

    /// <summary>Turns a query tree into an int program (see <see cref="Op"/>) preceded by its required keys.</summary>
    private readonly struct ProgramCompiler(SubscriptionIndex index)
    {
        private readonly List<int> _code = [];

        public int[] Compile(Query query)
        {
            var required = Required(query);
            var keys = required?.Keys.Distinct().ToArray() ?? [];
            _code.Add(keys.Length);
            _code.AddRange(keys);
            // A second key every match must contain, checked from the posting list before the program is read:
            // most candidates that share one word with an AND or phrase query lack the other.
            var confirm = required?.Musts.Where(m => !(keys.Length == 1 && m.Key == keys[0])).OrderBy(m => m.Cost).Select(m => m.Key).FirstOrDefault(-1) ?? -1;
            _code.Add(confirm);
            var root = _code.Count;
            Emit(query);
            // A lone word, prefix or site matches whenever its key occurs: the posting list says so (Direct) and
            // the program is never read, which saves the cache misses of verifying the commonest kind of query.
            if (keys.Length == 1 && _code.Count == root + 2 && _code[root + 1] == keys[0]
                && (_code[root] == Op.Key || _code[root] == (Op.Key | Op.SiteScope << 8)))
                _code[root - 1] = Op.Direct;
            return _code.ToArray();
        }

        private void Emit(Query query)
        {
            switch (query)
            {
                case TermQuery t:
                    _code.Add(Op.Key | (int)t.Scope << 8);
                    _code.Add(index.InternWord(t.Term));
                    break;
                case PrefixQuery p:
                    _code.Add(Op.Key | (int)p.Scope << 8);
                    _code.Add(index.InternPrefix(p.Prefix));
                    break;
                case SiteQuery s:
                    _code.Add(Op.Key | Op.SiteScope << 8);
                    _code.Add(index.InternSite(s.Domain));
                    break;
                case PhraseQuery { Distance: 0 } p:
                    _code.Add(Op.Phrase | (int)p.Scope << 8);
                    _code.Add(p.Terms.Count);
                    foreach (var term in p.Terms) _code.Add(index.InternWord(term));
                    break;
                case PhraseQuery p:
                {
                    // Proximity: distinct words with how often each must occur in the window.
                    var distinct = p.Terms.GroupBy(x => x, StringComparer.Ordinal).ToArray();
                    _code.Add(Op.Near | (int)p.Scope << 8);
                    _code.Add(distinct.Length);
                    _code.Add(p.Distance);
                    foreach (var group in distinct)
                    {
                        _code.Add(index.InternWord(group.Key));
                        _code.Add(group.Count());
                    }
                    break;
                }
                case AndQuery or OrQuery:
                {
                    var children = query is AndQuery a ? a.Children : ((OrQuery)query).Children;
                    var at = _code.Count;
                    _code.Add(query is AndQuery ? Op.And : Op.Or);
                    _code.Add(children.Count);
                    _code.Add(0);
                    foreach (var child in children) Emit(child);
                    _code[at + 2] = _code.Count - at;
                    break;
                }
                case NotQuery n:
                {
                    var at = _code.Count;
                    _code.Add(Op.Not);
                    _code.Add(0);
                    Emit(n.Child);
                    _code[at + 1] = _code.Count - at;
                    break;
                }
                default:
                    throw new ArgumentOutOfRangeException(nameof(query), query.GetType().Name);
            }
        }

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
                case TermQuery t:
                    return KeySet.Single(index.InternWord(t.Term), index.WordCost(t.Term));
                case PrefixQuery p:
                    // A prefix stands for many words: costlier than a word of the same length.
                    return KeySet.Single(index.InternPrefix(p.Prefix), 8 * index.WordCost(p.Prefix));
                case SiteQuery s:
                    return KeySet.Single(index.InternSite(s.Domain), 1.0);
                case PhraseQuery p:
                {
                    var musts = new List<(int Key, double Cost)>();
                    foreach (var term in p.Terms) musts.Add((index.InternWord(term), index.WordCost(term)));
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
                    var keys = new List<int>();
                    var cost = 0.0;
                    foreach (var child in o.Children)
                    {
                        if (Required(child) is not { } set) return null;
                        keys.AddRange(set.Keys);
                        cost += set.Cost;
                    }
                    return new KeySet(keys, cost, []);
                }
                default:
                    return null;
            }
        }
    }
}

/// <summary>Opcodes of a compiled query program.</summary>
internal static class Op
{
    public const int Key = 1;    // [Key|scope<<8, key]
    public const int Phrase = 2; // [Phrase|scope<<8, n, key*n]
    public const int Near = 3;   // [Near|scope<<8, n, distance, (key, count)*n]
    public const int And = 4;    // [And, n, length, child*n]
    public const int Or = 5;     // [Or, n, length, child*n]
    public const int Not = 6;    // [Not, length, child]
    public const int SiteScope = 3;
    public const int Direct = -2; // confirm value: a single-key query, matched without verification

    public static int Length(int[] p, int at) => (p[at] & 0xFF) switch
    {
        Key => 2,
        Phrase => 2 + p[at + 1],
        Near => 3 + 2 * p[at + 1],
        And or Or => p[at + 2],
        _ => p[at + 1],
    };
}

/// <summary>A growable list of the (slot, confirm key or -1) pairs posted under one key. Most keys at small
/// index sizes are rare words posted once: a single pair is kept inline (no array; 16 bytes either way).</summary>
internal struct Posting
{
    /// <summary>Pairs, or null while the list holds at most one pair.</summary>
    public int[]? Items;
    /// <summary>With <see cref="Items"/>: the number of pairs. Without: 0 if empty, else the lone slot + 1.</summary>
    public int CountOrSlot;
    /// <summary>Without <see cref="Items"/>: the lone pair's confirm key.</summary>
    public int Confirm;

    public void Add(int slot, int confirm)
    {
        if (Items is null)
        {
            if (CountOrSlot == 0)
            {
                CountOrSlot = slot + 1;
                Confirm = confirm;
                return;
            }
            Items = [CountOrSlot - 1, Confirm, 0, 0];
            CountOrSlot = 1;
        }
        if (2 * CountOrSlot == Items.Length) Array.Resize(ref Items, Items.Length * 2);
        Items[2 * CountOrSlot] = slot;
        Items[2 * CountOrSlot + 1] = confirm;
        CountOrSlot++;
    }

    public void Remove(int slot)
    {
        if (Items is null)
        {
            if (CountOrSlot == slot + 1) CountOrSlot = 0;
            return;
        }
        for (var i = 0; i < CountOrSlot; i++)
        {
            if (Items[2 * i] != slot) continue;
            // Order does not matter: candidates are deduplicated and results sorted by id.
            CountOrSlot--;
            Items[2 * i] = Items[2 * CountOrSlot];
            Items[2 * i + 1] = Items[2 * CountOrSlot + 1];
            if (CountOrSlot == 0) Items = null;
            return;
        }
    }
}
