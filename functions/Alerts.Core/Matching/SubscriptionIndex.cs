namespace Alerts.Core.Matching;

/// <summary>
/// The compiled matching engine (in the spirit of Lucene's Monitor / the Elasticsearch percolator; the stages are
/// told in Matching/README.md). Each query is compiled (<see cref="ProgramCompiler"/>) to a small int program and
/// posted under a minimal set of required keys (<see cref="Presearcher"/>: words, prefixes, sites) of which every
/// matching article must contain at least one. An article is scanned once (<see cref="ArticleScanner"/>); only the
/// queries posted under its keys (plus the few queries without required keys, e.g. purely negative ones) are
/// looked at (<see cref="CandidateScan"/>), and those their postings cannot decide are verified
/// (<see cref="ProgramInterpreter"/>) against per-key occurrence lists. Upsert/Remove are incremental. Match takes
/// a read lock, writers a write lock, so concurrent matching is safe; results are ordered by subscription id (ordinal).
/// </summary>
public sealed class SubscriptionIndex : ISubscriptionIndex
{
    private readonly ReaderWriterLockSlim _lock = new(LockRecursionPolicy.NoRecursion);
    private readonly IndexKeys _keys;
    private readonly ProgramArena _programs = new();

    // Subscriptions live in slots; a slot's program starts with its postings.
    private readonly Dictionary<string, int> _slotById = new(StringComparer.Ordinal);
    private string?[] _ids = new string?[256];
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
        _keys = new IndexKeys(termWeight);
    }

    public int Count
    {
        get
        {
            _lock.EnterReadLock();
            try { return _slotById.Count; } finally { _lock.ExitReadLock(); }
        }
    }

    /// <summary>Adds or replaces a stored subscription's query, read back as text (throws <see cref="QueryParseException"/>).</summary>
    public void Upsert(string subscriptionId, string query) => Upsert(subscriptionId, QueryParser.Parse(query));

    /// <summary>Adds or replaces a subscription's query, given as the tree validation parsed.</summary>
    public void Upsert(string subscriptionId, Query parsed)
    {
        ArgumentNullException.ThrowIfNull(subscriptionId);
        ArgumentNullException.ThrowIfNull(parsed);
        _lock.EnterWriteLock();
        try
        {
            if (_slotById.TryGetValue(subscriptionId, out var existing)) FreeSlot(existing);
            var program = new ProgramCompiler(_keys).Compile(parsed);
            // Before the slot is taken: appending may compact the arena, which walks the live slots.
            var at = _programs.Append(program, _slotCount);
            var slot = _freeSlots.Count > 0 ? _freeSlots.Pop() : _slotCount++;
            if (slot >= _ids.Length) Array.Resize(ref _ids, _ids.Length * 2);
            _programs.EnsureSlot(slot);
            if (_slotsInIdOrder) _slotsInIdOrder = FitsOrder(slot, subscriptionId);
            // Reuse the dictionary's string instance: one copy of the id per subscription.
            _ids[slot] = subscriptionId;
            _programs.At[slot] = at;
            _slotById[subscriptionId] = slot;
            var keyCount = program[0];
            if (keyCount == 0) _unindexed.Add(slot, PostingKind.Pack(PostingKind.Verify, PostingKind.NoKey));
            for (var i = 0; i < keyCount; i++) _keys.Postings[program[1 + 2 * i]].Add(slot, program[2 + 2 * i]);
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
        var code = _programs.Code;
        var at = _programs.At[slot];
        var keyCount = code[at];
        if (keyCount == 0) _unindexed.Remove(slot);
        for (var i = 0; i < keyCount; i++) _keys.Postings[code[at + 1 + 2 * i]].Remove(slot);
        _programs.Free(slot);
        _slotById.Remove(_ids[slot]!);
        _ids[slot] = null;
        _freeSlots.Push(slot);
    }

    public IReadOnlyList<QueryMatch> Match(MatchDocument document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var s = t_scratch ??= new MatchScratch();
        _lock.EnterReadLock();
        try
        {
            s.Begin(_keys.Count, _slotCount);
            ArticleScanner.Scan(_keys, document, s);
            CandidateScan.Run(_keys, _unindexed, s);
            PrefetchPrograms(s.Candidates);
            var code = _programs.Code;
            var programAt = _programs.At;
            var candidates = s.Candidates.Items;
            var interpreter = s.Interpreter;
            for (var i = 0; i < s.Candidates.Count; i++)
            {
                var slot = candidates[i];
                var at = programAt[slot];
                // Collecting decides the match too (most candidates match), so there is no separate yes/no pass.
                interpreter.Hits.Clear();
                if (!interpreter.Collect(code, ProgramArena.Root(code, at))) continue;
                s.Results.Add(slot, QueryEvaluator.Normalize(interpreter.Hits));
            }
            var result = s.Results.Take(_ids);
            // Slots are usually in id order (bulk loads come sorted); otherwise sort by id.
            if (!_slotsInIdOrder && result.Length > 1) Array.Sort(result, static (a, b) => string.CompareOrdinal(a.SubscriptionId, b.SubscriptionId));
            return result;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Diagnostics for benchmarks: runs only the first stages of matching (1 the article scan, 2 plus
    /// the candidate scan, whose postings decide most queries, 3 plus verification of the rest without their hits or
    /// results) and returns how many queries the postings decided (matched) and how many programs ran (or, at
    /// stage 3, matched).</summary>
    internal (int Decided, int Verified) Probe(MatchDocument document, int stages)
    {
        var s = t_scratch ??= new MatchScratch();
        _lock.EnterReadLock();
        try
        {
            s.Begin(_keys.Count, _slotCount);
            ArticleScanner.Scan(_keys, document, s);
            if (stages < 2) return (0, s.Article.LocalCount);
            CandidateScan.Run(_keys, _unindexed, s);
            if (stages < 3) return (s.Results.Count, s.Candidates.Count);
            var verified = 0;
            PrefetchPrograms(s.Candidates);
            var code = _programs.Code;
            for (var i = 0; i < s.Candidates.Count; i++)
            {
                var at = _programs.At[s.Candidates.Items[i]];
                if (s.Interpreter.Eval(code, ProgramArena.Root(code, at))) verified++;
            }
            return (s.Results.Count, verified);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The candidates' programs are scattered over the arena: start all their reads before the first.</summary>
    private void PrefetchPrograms(CandidateSet candidates)
    {
        var items = candidates.Items;
        var programAt = _programs.At;
        var code = _programs.Code;
        for (var i = 0; i < candidates.Count; i++) CachePrefetch.Line(ref programAt[items[i]]);
        for (var i = 0; i < candidates.Count; i++) CachePrefetch.Line(ref code[programAt[items[i]]]);
    }
}
