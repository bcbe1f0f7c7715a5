using System.Runtime.CompilerServices;

namespace Alerts.Core.Matching;

/// <summary>
/// Folded text → key id, for the article scan. Open addressing over one entry array, with the key texts in one
/// char arena: a lookup of a word that is not a key (most words of an article) reads one cache line, and the
/// article scan computes the hash while it folds, so no string or second pass is needed. Keys are never removed.
/// </summary>
internal sealed class KeyTable
{
    public const uint Seed = 2166136261;

    private Entry[] _entries = new Entry[16];
    private int _shift = 32 - 4;
    private char[] _chars = new char[64];
    private int _charCount;

    public int Count { get; private set; }

    /// <summary>FNV-1a step: the scan feeds each folded character as it produces it.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static uint Step(uint hash, char c) => (hash ^ c) * 16777619;

    public static uint Hash(ReadOnlySpan<char> text)
    {
        var hash = Seed;
        foreach (var c in text) hash = Step(hash, c);
        return hash;
    }

    /// <summary>The key id of <paramref name="text"/> (whose <see cref="Hash"/> is <paramref name="hash"/>), or -1.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Find(ReadOnlySpan<char> text, uint hash)
    {
        var entries = _entries;
        var mask = entries.Length - 1;
        var i = (int)((hash * 0x9E3779B9u) >> _shift);
        while (true)
        {
            ref readonly var e = ref entries[i];
            if (e.KeyPlusOne == 0) return -1;
            if (e.Hash == hash && e.Length == text.Length && _chars.AsSpan(e.Offset, e.Length).SequenceEqual(text))
                return e.KeyPlusOne - 1;
            i = (i + 1) & mask;
        }
    }

    public int Find(ReadOnlySpan<char> text) => Find(text, Hash(text));

    /// <summary>Adds <paramref name="text"/> with id <paramref name="key"/> unless present; returns the stored id.</summary>
    public int GetOrAdd(string text, int key)
    {
        var hash = Hash(text);
        var existing = Find(text, hash);
        if (existing >= 0) return existing;
        // At most half full, so probe runs stay short.
        if (2 * (Count + 1) > _entries.Length) Grow();
        if (_charCount + text.Length > _chars.Length)
            Array.Resize(ref _chars, Math.Max(_charCount + text.Length, _chars.Length * 2));
        text.CopyTo(_chars.AsSpan(_charCount));
        Insert(_entries, _shift, new Entry(hash, key + 1, _charCount, text.Length));
        _charCount += text.Length;
        Count++;
        return key;
    }

    private static void Insert(Entry[] entries, int shift, Entry entry)
    {
        var mask = entries.Length - 1;
        var i = (int)((entry.Hash * 0x9E3779B9u) >> shift);
        while (entries[i].KeyPlusOne != 0) i = (i + 1) & mask;
        entries[i] = entry;
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

    private readonly record struct Entry(uint Hash, int KeyPlusOne, int Offset, int Length);
}
