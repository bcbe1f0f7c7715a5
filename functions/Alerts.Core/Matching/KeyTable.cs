using System.Numerics;
using System.Runtime.CompilerServices;

namespace Alerts.Core.Matching;

/// <summary>
/// Folded text → key id, for the article scan. Open addressing over one entry array. Nearly every word of an
/// article is some subscription's key, so a lookup must not chase pointers: a key of at most 16 characters below
/// U+0100 (almost every word, once folded) is stored in its entry, a byte per character, and compared as two longs;
/// longer keys keep their text in one char arena. The scan packs each word while it folds it. Keys are never removed.
/// </summary>
internal sealed class KeyTable
{
    private const int PackedMax = 16;
    // Marks an entry whose text is in the arena (A: hash, B: offset) rather than packed in A and B.
    private const int InArena = 1 << 30;

    private Entry[] _entries = new Entry[16];
    private int _shift = 32 - 4;
    private char[] _chars = [];
    private int _charCount;
    // Optional bit per hash (about 32 bits per key): lets MayContain turn most absent texts away from one small
    // bitset, for tables asked about far more often than they answer yes (prefixes of every word).
    private ulong[]? _filter;
    private int _filterShift;

    /// <param name="filtered">Keep a filter for <see cref="MayContain"/>.</param>
    public KeyTable(bool filtered = false)
    {
        if (filtered) ResizeFilter();
    }

    public int Count { get; private set; }

    /// <summary>
    /// The hash of a text: of its packed form (<see cref="TryPack"/>) when it has one, which the article scan
    /// builds as it folds, with no per-character hash chain; FNV-1a of the characters otherwise.
    /// </summary>
    public static uint Hash(ReadOnlySpan<char> text) =>
        TryPack(text, out var a, out var b) ? PackedHash(a, b, text.Length) : TextHash(text);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint PackedHash(ulong a, ulong b, int length) =>
        (uint)((a * 0x9E3779B97F4A7C15UL + b * 0xC2B2AE3D27D4EB4FUL + (ulong)length * 0x165667B19E3779F9UL) >> 32);

    private static uint TextHash(ReadOnlySpan<char> text)
    {
        var hash = 2166136261;
        foreach (var c in text) hash = (hash ^ c) * 16777619;
        return hash;
    }

    /// <summary>Up to 16 characters below U+0100 packed into two longs, a byte each (zero beyond the text);
    /// false for other text.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static bool TryPack(ReadOnlySpan<char> text, out ulong a, out ulong b)
    {
        a = b = 0;
        if (text.Length > PackedMax) return false;
        var any = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            any |= c;
            if (i < 8) a |= (ulong)c << (8 * i);
            else b |= (ulong)c << (8 * (i - 8));
        }
        return any < 0x100;
    }

    /// <summary>The key id of the packed text (<see cref="TryPack"/>) of <paramref name="length"/> characters,
    /// whose <see cref="PackedHash"/> is <paramref name="hash"/>, or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int FindPacked(ulong a, ulong b, int length, uint hash)
    {
        var entries = _entries;
        var mask = entries.Length - 1;
        var i = Home(hash);
        while (true)
        {
            ref readonly var e = ref entries[i];
            if (e.A == a && e.B == b && e.Length == length && e.KeyPlusOne != 0) return e.KeyPlusOne - 1;
            if (e.KeyPlusOne == 0) return -1;
            i = (i + 1) & mask;
        }
    }

    /// <summary>The key id of <paramref name="text"/>, or -1.</summary>
    public int Find(ReadOnlySpan<char> text)
    {
        if (TryPack(text, out var a, out var b)) return FindPacked(a, b, text.Length, PackedHash(a, b, text.Length));
        var hash = TextHash(text);
        var entries = _entries;
        var mask = entries.Length - 1;
        var i = Home(hash);
        while (true)
        {
            ref readonly var e = ref entries[i];
            if (e.KeyPlusOne == 0) return -1;
            if (e.Length == (text.Length | InArena) && e.A == hash && _chars.AsSpan((int)e.B, text.Length).SequenceEqual(text))
                return e.KeyPlusOne - 1;
            i = (i + 1) & mask;
        }
    }

    /// <summary>False when no key has <paramref name="hash"/> (only for a filtered table; then
    /// <see cref="Find(ReadOnlySpan{char}, uint)"/> can be skipped).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public bool MayContain(uint hash)
    {
        var bit = (hash * 0x85EBCA77u) >> _filterShift;
        return (_filter![bit >> 6] & (1UL << (int)bit)) != 0;
    }

    /// <summary>Starts loading the entry where a lookup of <paramref name="hash"/> begins.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void PrefetchEntry(uint hash) => CachePrefetch.Line(ref _entries[Home(hash)]);

    /// <summary>Adds <paramref name="text"/> with id <paramref name="key"/> unless present; returns the stored id.</summary>
    public int GetOrAdd(string text, int key)
    {
        var existing = Find(text);
        if (existing >= 0) return existing;
        var hash = Hash(text);
        // At most 70% full: probe runs stay short (most lookups find their key) and memory stays small.
        if (10 * (Count + 1) > 7 * _entries.Length) Grow();
        Entry entry;
        if (TryPack(text, out var a, out var b)) entry = new Entry(a, b, key + 1, text.Length);
        else
        {
            if (_charCount + text.Length > _chars.Length)
                Array.Resize(ref _chars, Math.Max(_charCount + text.Length, Math.Max(64, _chars.Length * 2)));
            text.CopyTo(_chars.AsSpan(_charCount));
            entry = new Entry(hash, (ulong)_charCount, key + 1, text.Length | InArena);
            _charCount += text.Length;
        }
        Insert(_entries, _shift, entry);
        Count++;
        if (_filter is not null)
        {
            if (32 * Count > _filter.Length * 64) ResizeFilter();
            else AddToFilter(hash);
        }
        return key;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private int Home(uint hash) => (int)((hash * 0x9E3779B9u) >> _shift);

    private static void Insert(Entry[] entries, int shift, Entry entry)
    {
        var mask = entries.Length - 1;
        var i = (int)((EntryHash(entry) * 0x9E3779B9u) >> shift);
        while (entries[i].KeyPlusOne != 0) i = (i + 1) & mask;
        entries[i] = entry;
    }

    /// <summary>The hash of an entry's text: kept in an arena entry, recomputed from a packed one.</summary>
    private static uint EntryHash(in Entry e)
    {
        return (e.Length & InArena) != 0 ? (uint)e.A : PackedHash(e.A, e.B, e.Length);
    }

    private void AddToFilter(uint hash)
    {
        var bit = (hash * 0x85EBCA77u) >> _filterShift;
        _filter![bit >> 6] |= 1UL << (int)bit;
    }

    private void ResizeFilter()
    {
        var bits = Math.Max(4096, (int)BitOperations.RoundUpToPowerOf2((uint)(64 * Math.Max(Count, 1))));
        _filter = new ulong[bits / 64];
        _filterShift = 32 - BitOperations.Log2((uint)bits);
        foreach (var e in _entries)
            if (e.KeyPlusOne != 0) AddToFilter(EntryHash(e));
    }

    private void Grow()
    {
        var entries = new Entry[_entries.Length * 2];
        var shift = _shift - 1;
        foreach (var e in _entries)
            if (e.KeyPlusOne != 0) Insert(entries, shift, e);
        _entries = entries;
        _shift = shift;
    }

    /// <summary>A packed key (A, B: its characters) or an arena key (A: hash, B: offset; Length has InArena).</summary>
    private readonly record struct Entry(ulong A, ulong B, int KeyPlusOne, int Length);
}
