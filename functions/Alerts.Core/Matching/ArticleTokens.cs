namespace Alerts.Core.Matching;

/// <summary>
/// One field's tokens, folded, packed and hashed by <see cref="SubscriptionIndex"/>'s scan before any is looked up, so
/// that the key table reads of all of them can be started together (see <see cref="CachePrefetch"/>).
/// Per-thread and reused.
/// </summary>
internal sealed class ArticleTokens
{
    public int Count;
    public int[] Start = new int[256];
    public int[] Length = new int[256];
    public uint[] Hash = new uint[256];
    /// <summary>The packed text (<see cref="KeyTable.TryPack"/>) when <see cref="Packed"/>.</summary>
    public ulong[] A = new ulong[256];
    public ulong[] B = new ulong[256];
    public bool[] Packed = new bool[256];
    public int[] FoldAt = new int[256];
    public int[] FoldLength = new int[256];
    /// <summary>The folded text of every token, one after another.</summary>
    public char[] Chars = new char[4096];
    public int CharCount;

    public void Clear() => Count = CharCount = 0;

    /// <summary>Makes room for <paramref name="chars"/> more folded characters.</summary>
    public void Reserve(int chars)
    {
        if (CharCount + chars > Chars.Length) Array.Resize(ref Chars, Math.Max(CharCount + chars, Chars.Length * 2));
    }

    /// <summary>Adds a token whose folded text was written at <see cref="CharCount"/>.</summary>
    public void Add(int start, int length, int foldLength, uint hash, bool packed, ulong a, ulong b)
    {
        if (Count == Start.Length)
        {
            var size = Count * 2;
            Array.Resize(ref Start, size);
            Array.Resize(ref Length, size);
            Array.Resize(ref Hash, size);
            Array.Resize(ref FoldAt, size);
            Array.Resize(ref FoldLength, size);
            Array.Resize(ref A, size);
            Array.Resize(ref B, size);
            Array.Resize(ref Packed, size);
        }
        A[Count] = a;
        B[Count] = b;
        Packed[Count] = packed;
        Start[Count] = start;
        Length[Count] = length;
        Hash[Count] = hash;
        FoldAt[Count] = CharCount;
        FoldLength[Count++] = foldLength;
        CharCount += foldLength;
    }

    public ReadOnlySpan<char> Folded(int i) => Chars.AsSpan(FoldAt[i], FoldLength[i]);
}
