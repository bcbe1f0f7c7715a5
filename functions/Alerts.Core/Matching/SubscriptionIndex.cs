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
    private readonly KeyTable _words = new();
    private readonly KeyTable _prefixes = new(filtered: true);
    private readonly KeyTable _sites = new();
    // A word's occurrences in the title have a key of their own, so title:word is decided by its posting alone.
    private readonly KeyTable _titleWords = new();
    private int _keyCount;
    private int _maxPrefixLength;
    // For each ASCII 3-character stem, the lengths of the prefixes that start with it (bit n: length 3 + n, bit 7:
    // 10 or more; see LengthBit), allocated with the first prefix: most tokens skip the prefix lookups, the others
    // look up only lengths some prefix has.
    private byte[] _prefixLengths = [];
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
            if (keyCount == 0) _unindexed.Add(slot, PostingKind.Pack(PostingKind.Verify, PostingKind.NoKey));
            for (var i = 0; i < keyCount; i++) _postings[program[1 + 2 * i]].Add(slot, program[2 + 2 * i]);
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

    /// <summary>Where the query tree of the program at <paramref name="at"/> starts, after its postings.</summary>
    private static int Root(int[] code, int at) => at + 2 * code[at] + 1;

    private static int ProgramLength(int[] code, int at)
    {
        var root = Root(code, at);
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
        for (var i = 0; i < keyCount; i++) _postings[_code[at + 1 + 2 * i]].Remove(slot);
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
            PrefetchPrograms(s);
            var candidates = s.Candidates;
            for (var i = 0; i < s.CandidateCount; i++)
            {
                var slot = candidates[i];
                var at = _programAt[slot];
                // Collecting decides the match too (most candidates match), so there is no separate yes/no pass.
                s.Hits.Clear();
                if (!s.Collect(_code, Root(_code, at))) continue;
                s.AddMatch(slot, QueryEvaluator.Normalize(s.Hits));
            }
            var result = s.TakeResults(_ids);
            // Slots are usually in id order (bulk loads come sorted); otherwise sort by id.
            if (!_slotsInIdOrder && result.Length > 1) Array.Sort(result, static (a, b) => string.CompareOrdinal(a.SubscriptionId, b.SubscriptionId));
            return result;
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>Diagnostics for benchmarks: runs only the first stages of matching (1 analysis, 2 plus the
    /// postings, which decide most queries, 3 plus the programs of the rest without their hits or results) and
    /// returns how many queries the postings decided (matched) and how many programs ran (or, at stage 3, matched).</summary>
    internal (int Decided, int Verified) Probe(MatchDocument document, int stages)
    {
        var s = t_scratch ??= new MatchScratch();
        _lock.EnterReadLock();
        try
        {
            s.Begin(_keyCount, _slotCount);
            Analyze(document, s);
            if (stages < 2) return (0, s.LocalCount);
            CollectCandidates(s);
            if (stages < 3) return (s.MatchedCount, s.CandidateCount);
            var verified = 0;
            PrefetchPrograms(s);
            for (var i = 0; i < s.CandidateCount; i++)
            {
                var at = _programAt[s.Candidates[i]];
                if (s.Eval(_code, Root(_code, at))) verified++;
            }
            return (s.MatchedCount, verified);
        }
        finally { _lock.ExitReadLock(); }
    }

    /// <summary>The candidates' programs are scattered over the arena: start all their reads before the first.</summary>
    private void PrefetchPrograms(MatchScratch s)
    {
        var candidates = s.Candidates;
        for (var i = 0; i < s.CandidateCount; i++) CachePrefetch.Line(ref _programAt[candidates[i]]);
        for (var i = 0; i < s.CandidateCount; i++) CachePrefetch.Line(ref _code[_programAt[candidates[i]]]);
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
                var key = _sites.Find(span);
                if (key >= 0) s.Record(key, new Occurrence(0, start, length, DocumentField.Site));
                var dot = span.IndexOf('.');
                if (dot < 0) break;
                span = span[(dot + 1)..];
            }
        }
        s.Group();
    }

    /// <summary>ASCII letters and digits → their folded form; every other ASCII character separates words (0).</summary>
    private static readonly char[] s_asciiFold = Enumerable.Range(0, 128)
        .Select(c => char.IsAsciiLetterOrDigit((char)c) ? char.ToLowerInvariant((char)c) : '\0').ToArray();

    /// <summary>
    /// Tokenises, folds and hashes one field, then looks its words up. The scan starts the key table read of each
    /// word as it hashes it, so that by the lookups most of the index memory they touch is already in cache.
    /// </summary>
    private void AnalyzeField(string text, DocumentField field, int position, MatchScratch s)
    {
        var tokens = s.Tokens;
        tokens.Clear();
        Scan(text, tokens);
        if (field == DocumentField.Title && _titleWords.Count > 0)
            for (var i = 0; i < tokens.Count; i++) _titleWords.PrefetchEntry(tokens.Items[i].Hash);
        var previousStart = 0;
        var previousEnd = -1;
        for (var i = 0; i < tokens.Count; i++)
        {
            ref readonly var t = ref tokens.Items[i];
            // The same sentence rule as the evaluator's: a break skips a position.
            // (A single space, between most words, is tested here without the call.)
            if (previousEnd >= 0 && (t.Start - previousEnd != 1 || text[previousEnd] != ' ')
                && TextAnalyzer.IsSentenceBreak(text, previousStart, previousEnd, t.Start)) position++;
            previousStart = t.Start;
            previousEnd = t.Start + t.Length;
            if (i + 1 < tokens.Count && TextAnalyzer.JoinsCompound(text, previousEnd, tokens.Items[i + 1].Start))
                LookupCompound(text, tokens, i, position + i, field, s);
            var occurrence = new Occurrence(position + i, t.Start, t.Length, field);
            if (t.Packed) LookupPacked(t.A, t.B, t.FoldLength, t.Hash, occurrence, s);
            else LookupText(tokens.Folded(t), occurrence, s);
        }
    }

    /// <summary>
    /// Splits <paramref name="text"/> into folded tokens, packing each (see <see cref="KeyTable.TryPack"/>) and
    /// starting the key table read of its entry. Words that are plain ASCII (nearly all of newswire text) never
    /// leave this loop; a word with other characters goes through <see cref="TokenScanner"/> and
    /// <see cref="TextAnalyzer.Fold(ReadOnlySpan{char}, Span{char}, out string?)"/>, so both paths give exactly the
    /// tokens the evaluator sees.
    /// </summary>
    private void Scan(string text, ArticleTokens tokens)
    {
        var fold = s_asciiFold;
        tokens.Reserve(text.Length);
        var chars = tokens.Chars;
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (c >= 0x80)
            {
                i = ScanOtherToken(text, i, tokens);
                chars = tokens.Chars;
                continue;
            }
            var f = fold[c];
            if (f == 0)
            {
                i++;
                continue;
            }
            var start = i;
            var at = tokens.CharCount;
            ulong a = 0, b = 0;
            var n = 0;
            while (true)
            {
                chars[at++] = f;
                if (n < 8) a |= (ulong)f << (8 * n);
                else if (n < 16) b |= (ulong)f << (8 * (n - 8));
                n++;
                if (++i == text.Length) break;
                c = text[i];
                if (c >= 0x80 || (f = fold[c]) == 0) break;
            }
            // A non-ASCII letter may continue the word ("Café"): the general path decides.
            if (i < text.Length && c >= 0x80)
            {
                i = ScanOtherToken(text, start, tokens);
                chars = tokens.Chars;
                continue;
            }
            if (n <= 16)
            {
                var hash = KeyTable.PackedHash(a, b, n);
                _words.PrefetchEntry(hash);
                tokens.Add(start, n, n, hash, packed: true, a, b);
            }
            else tokens.Add(start, n, n, 0, packed: false, 0, 0);
        }
    }

    /// <summary>The next token from <paramref name="from"/> by the general rules; returns where scanning goes on.</summary>
    private int ScanOtherToken(string text, int from, ArticleTokens tokens)
    {
        var scanner = new TokenScanner(text.AsSpan(from));
        if (!scanner.Next(out var start, out var length)) return text.Length;
        start += from;
        Span<char> buffer = stackalloc char[64];
        var folded = TextAnalyzer.Fold(text.AsSpan(start, length), buffer, out _);
        if (folded.Length > 0)
        {
            // Room for the rest of the text too, which the ASCII loop assumes.
            tokens.Reserve(folded.Length + text.Length - start);
            folded.CopyTo(tokens.Chars.AsSpan(tokens.CharCount));
            if (KeyTable.TryPack(folded, out var a, out var b))
            {
                var hash = KeyTable.PackedHash(a, b, folded.Length);
                _words.PrefetchEntry(hash);
                tokens.Add(start, length, folded.Length, hash, packed: true, a, b);
            }
            else tokens.Add(start, length, folded.Length, 0, packed: false, 0, 0);
        }
        return start + length;
    }

    /// <summary>Looks up a packed token as a word, a title word and (its leading parts, masked out of the packed
    /// form) as prefixes, recording the keys found.</summary>
    private void LookupPacked(ulong a, ulong b, int length, uint hash, Occurrence occurrence, MatchScratch s)
    {
        var key = _words.FindPacked(a, b, length, hash);
        if (key >= 0)
        {
            s.Record(key, occurrence);
            CachePrefetch.Line(ref _postings[key]);
        }
        if (occurrence.Field == DocumentField.Title && _titleWords.Count > 0)
        {
            var titleKey = _titleWords.FindPacked(a, b, length, hash);
            if (titleKey >= 0) s.Record(titleKey, occurrence);
        }
        if (_maxPrefixLength == 0 || length < QueryParser.MinPrefixLength) return;
        var stem = StemCode((char)(a & 0xFF), (char)(a >> 8 & 0xFF), (char)(a >> 16 & 0xFF));
        var lengths = stem >= 0 ? _prefixLengths[stem] : _nonAsciiPrefixes ? 0xFF : 0;
        if (lengths == 0) return;
        var max = Math.Min(length, _maxPrefixLength);
        for (var len = QueryParser.MinPrefixLength; len <= max; len++)
        {
            if ((lengths & LengthBit(len)) == 0) continue;
            var pa = len >= 8 ? a : a & ((1UL << (8 * len)) - 1);
            var pb = len >= 16 ? b : len <= 8 ? 0 : b & ((1UL << (8 * (len - 8))) - 1);
            var prefixHash = KeyTable.PackedHash(pa, pb, len);
            if (!_prefixes.MayContain(prefixHash)) continue;
            var prefixKey = _prefixes.FindPacked(pa, pb, len, prefixHash);
            if (prefixKey >= 0) s.Record(prefixKey, occurrence);
        }
    }

    /// <summary>
    /// A hyphenated word from token <paramref name="first"/> on, joined, looked up as a word and a title word (not
    /// as prefixes), before the first part itself, as the evaluator does (<see cref="TextAnalyzer.CompoundEnd"/>).
    /// No sentence break falls inside a hyphenated word, so its parts hold consecutive positions.
    /// </summary>
    private void LookupCompound(string text, ArticleTokens tokens, int first, int position, DocumentField field, MatchScratch s)
    {
        var last = first;
        var length = tokens.Items[first].FoldLength;
        while (last + 1 < tokens.Count && last - first + 1 < TextAnalyzer.MaxCompoundParts)
        {
            ref readonly var part = ref tokens.Items[last];
            if (!TextAnalyzer.JoinsCompound(text, part.Start + part.Length, tokens.Items[last + 1].Start)) break;
            last++;
            length += tokens.Items[last].FoldLength;
        }
        if (length > TextAnalyzer.MaxCompoundLength) return;
        Span<char> joined = stackalloc char[length];
        var at = 0;
        for (var i = first; i <= last; i++)
        {
            tokens.Folded(tokens.Items[i]).CopyTo(joined[at..]);
            at += tokens.Items[i].FoldLength;
        }
        ref readonly var head = ref tokens.Items[first];
        ref readonly var tail = ref tokens.Items[last];
        var occurrence = new Occurrence(position, head.Start, tail.Start + tail.Length - head.Start, field, last - first + 1);
        var key = _words.Find(joined);
        if (key >= 0) s.Record(key, occurrence);
        if (field == DocumentField.Title && _titleWords.Count > 0)
        {
            var titleKey = _titleWords.Find(joined);
            if (titleKey >= 0) s.Record(titleKey, occurrence);
        }
    }

    /// <summary>The same for a token without a packed form (long, or with characters beyond U+00FF).</summary>
    private void LookupText(ReadOnlySpan<char> folded, Occurrence occurrence, MatchScratch s)
    {
        var key = _words.Find(folded);
        if (key >= 0) s.Record(key, occurrence);
        if (occurrence.Field == DocumentField.Title && _titleWords.Count > 0)
        {
            var titleKey = _titleWords.Find(folded);
            if (titleKey >= 0) s.Record(titleKey, occurrence);
        }
        var max = Math.Min(folded.Length, _maxPrefixLength);
        for (var len = QueryParser.MinPrefixLength; len <= max; len++)
        {
            var prefixKey = _prefixes.Find(folded[..len]);
            if (prefixKey >= 0) s.Record(prefixKey, occurrence);
        }
    }

    private void CollectCandidates(MatchScratch s)
    {
        for (var l = 0; l < s.LocalCount; l++)
            if (_postings[s.LocalKeys[l]].Items is { } items) CachePrefetch.Line(ref MemoryMarshal.GetArrayDataReference(items));
        for (var l = 0; l < s.LocalCount; l++)
        {
            var key = s.LocalKeys[l];
            ref var posting = ref _postings[key];
            if (posting.Items is { } items) s.AddPostings(items.AsSpan(0, 2 * posting.CountOrSlot), key);
            else if (posting.CountOrSlot != 0) s.AddPosting(posting.CountOrSlot - 1, posting.Info, key);
        }
        if (_unindexed.Items is { } all) s.AddPostings(all.AsSpan(0, 2 * _unindexed.CountOrSlot), -1);
        else if (_unindexed.CountOrSlot != 0) s.AddPosting(_unindexed.CountOrSlot - 1, _unindexed.Info, -1);
    }

    private const int StemSpace = 37 * 37 * 37;

    /// <summary>Code of the first 3 characters if they are [a-z0-9], else -1.</summary>
    private static int StemCode(char c0, char c1, char c2)
    {
        var v0 = StemValue(c0);
        var v1 = StemValue(c1);
        var v2 = StemValue(c2);
        return (v0 | v1 | v2) < 0 ? -1 : (v0 * 37 + v1) * 37 + v2;
    }

    private static int LengthBit(int prefixLength) => 1 << Math.Min(prefixLength - QueryParser.MinPrefixLength, 7);

    private static int StemValue(char c) => c is >= 'a' and <= 'z' ? c - 'a' + 1 : c is >= '0' and <= '9' ? c - '0' + 27 : -1;

    // ---- key interning (write lock held) ----

    private int InternWord(string term) => Intern(_words, term);

    private int InternTitleWord(string term) => Intern(_titleWords, term);

    /// <summary>A phrase term is a word, or a prefix (trailing '*'): a prefix key records every word it starts, at
    /// that word's position, so the phrase and proximity programs need nothing else.</summary>
    private int InternPhraseTerm(string term) =>
        PhraseQuery.IsPrefix(term) ? InternPrefix(PhraseQuery.Stem(term)) : InternWord(term);

    private int InternSite(string domain) => Intern(_sites, domain);

    private int InternPrefix(string prefix)
    {
        var key = Intern(_prefixes, prefix);
        _maxPrefixLength = Math.Max(_maxPrefixLength, prefix.Length);
        var stem = StemCode(prefix[0], prefix[1], prefix[2]);
        if (_prefixLengths.Length == 0) _prefixLengths = new byte[StemSpace];
        if (stem >= 0) _prefixLengths[stem] |= (byte)LengthBit(prefix.Length);
        else _nonAsciiPrefixes = true;
        return key;
    }

    private int Intern(KeyTable keys, string text)
    {
        var key = keys.GetOrAdd(text, _keyCount);
        if (key != _keyCount) return key;
        _keyCount++;
        if (key >= _postings.Length) Array.Resize(ref _postings, _postings.Length * 2);
        return key;
    }

    /// <summary>As for a prefix query: a prefix stands for many words, so it is costlier than a word.</summary>
    private double PhraseTermCost(string term) =>
        PhraseQuery.IsPrefix(term) ? 8 * WordCost(PhraseQuery.Stem(term)) : WordCost(term);

    private double WordCost(string term) =>
        _termWeight?.Invoke(term) ?? 1.0 / ((term.Length + 1.0) * (term.Length + 1.0));

    /// <summary>Turns a query tree into an int program (see <see cref="Op"/>) preceded by its required keys.</summary>
    private readonly struct ProgramCompiler(SubscriptionIndex index)
    {
        private readonly List<int> _code = [];

        public int[] Compile(Query query)
        {
            var postings = new List<(int Key, int Info)>();
            if (!AddBranch(query, postings)) postings.Clear();
            postings = postings.Distinct().ToList();
            _code.Add(postings.Count);
            foreach (var (key, info) in postings)
            {
                _code.Add(key);
                _code.Add(info);
            }
            Emit(query);
            return _code.ToArray();
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
            var keys = required.Keys.Distinct().ToArray();
            var info = veto < 0 ? PostingInfo(branch, keys, required)
                : keys.Length == 1 && PlainKey(branch) == keys[0] ? PostingKind.Pack(PostingKind.Without, veto)
                : VerifyInfo(keys, required);
            foreach (var key in keys) postings.Add((key, info));
            return true;
        }

        /// <summary>
        /// What a branch's posting says: most branches are one key, two keys, or a two-word phrase (or, with a
        /// veto, a key without another: see AddBranch), and the posting alone decides them (no program read, which at a million
        /// subscriptions is a cache miss or two per candidate). Others are verified by the whole query's program,
        /// once a second key every match of the branch must contain (the confirm key) was found in the article.
        /// </summary>
        private int PostingInfo(Query query, int[] keys, KeySet required)
        {
            if (keys.Length == 1 && PlainKey(query) == keys[0]) return PostingKind.Pack(PostingKind.Single, keys[0]);
            if (keys.Length == 1 && query is AndQuery { Children.Count: 2 } and)
            {
                var (a, b) = (and.Children[0], and.Children[1]);
                if (PlainKey(a) is { } ka && PlainKey(b) is { } kb && ka != kb)
                    return PostingKind.Pack(PostingKind.Both, ka == keys[0] ? kb : ka);
            }
            if (keys.Length == 1 && query is PhraseQuery { Distance: 0, Scope: FieldScope.Any, Terms.Count: 2 } phrase)
            {
                var first = index.InternPhraseTerm(phrase.Terms[0]);
                var second = index.InternPhraseTerm(phrase.Terms[1]);
                return first == keys[0]
                    ? PostingKind.Pack(PostingKind.PhraseFirst, second)
                    : PostingKind.Pack(PostingKind.PhraseSecond, first);
            }
            return VerifyInfo(keys, required);
        }

        /// <summary>Verify by the program, after a second key every match of the branch must contain: most
        /// candidates that share one word with an AND or phrase lack the other.</summary>
        private static int VerifyInfo(int[] keys, KeySet required)
        {
            var confirm = required.Musts.Where(m => !(keys.Length == 1 && m.Key == keys[0])).OrderBy(m => m.Cost).Select(m => m.Key).FirstOrDefault(-1);
            return PostingKind.Pack(PostingKind.Verify, confirm < 0 ? PostingKind.NoKey : confirm);
        }

        /// <summary>The key of a word or prefix in any field, of a word in the title, or of a site: such a query
        /// matches exactly when its key occurs, and its hits are the key's occurrences.</summary>
        private int? PlainKey(Query query) => query switch
        {
            TermQuery { Scope: FieldScope.Any } t => index.InternWord(t.Term),
            TermQuery { Scope: FieldScope.Title } t => index.InternTitleWord(t.Term),
            PrefixQuery { Scope: FieldScope.Any } p => index.InternPrefix(p.Prefix),
            SiteQuery s => index.InternSite(s.Domain),
            _ => null,
        };

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
                    foreach (var term in p.Terms) _code.Add(index.InternPhraseTerm(term));
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
                        _code.Add(index.InternPhraseTerm(group.Key));
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
                case TermQuery { Scope: FieldScope.Title } t:
                    // Titles are short: a word in the title is rarer than the word anywhere.
                    return KeySet.Single(index.InternTitleWord(t.Term), index.WordCost(t.Term) / 8);
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
                    foreach (var term in p.Terms) musts.Add((index.InternPhraseTerm(term), index.PhraseTermCost(term)));
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

    public static int Length(int[] p, int at) => (p[at] & 0xFF) switch
    {
        Key => 2,
        Phrase => 2 + p[at + 1],
        Near => 3 + 2 * p[at + 1],
        And or Or => p[at + 2],
        _ => p[at + 1],
    };
}

/// <summary>
/// A posting's second int: a kind (top 4 bits) and another key (low 28 bits). The kind says how the query's
/// branch is decided when the posting's own key occurs in an article; a slot matched through several branches
/// gets the union of their hits, which is what the whole OR collects.
/// </summary>
internal static class PostingKind
{
    public const int Verify = 0;       // run the program if the other key (a confirm key, or NoKey) occurs
    public const int Single = 1;       // the branch is this key: a match, hits its occurrences
    public const int Both = 3;         // this key AND the other key
    public const int Without = 4;      // this key AND NOT the other key
    public const int PhraseFirst = 5;  // "this other"
    public const int PhraseSecond = 6; // "other this"
    public const int NoKey = 0x0FFFFFFF;

    public static int Pack(int kind, int key) => kind << 28 | key;
    public static int Kind(int info) => info >>> 28;
    public static int Key(int info) => info & NoKey;
}

/// <summary>A growable list of the (slot, <see cref="PostingKind"/> info) pairs posted under one key. Most keys at small
/// index sizes are rare words posted once: a single pair is kept inline (no array; 16 bytes either way).</summary>
internal struct Posting
{
    /// <summary>Pairs, or null while the list holds at most one pair.</summary>
    public int[]? Items;
    /// <summary>With <see cref="Items"/>: the number of pairs. Without: 0 if empty, else the lone slot + 1.</summary>
    public int CountOrSlot;
    /// <summary>Without <see cref="Items"/>: the lone pair's info.</summary>
    public int Info;

    public void Add(int slot, int info)
    {
        if (Items is null)
        {
            if (CountOrSlot == 0)
            {
                CountOrSlot = slot + 1;
                Info = info;
                return;
            }
            Items = [CountOrSlot - 1, Info, 0, 0];
            CountOrSlot = 1;
        }
        if (2 * CountOrSlot == Items.Length) Array.Resize(ref Items, Items.Length * 2);
        Items[2 * CountOrSlot] = slot;
        Items[2 * CountOrSlot + 1] = info;
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
