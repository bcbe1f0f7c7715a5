namespace Alerts.Core.Matching;

/// <summary>
/// One field's tokens, folded, packed and hashed by the article scan (<see cref="ArticleScanner"/>) before any is looked up, so
/// that the key table reads of all of them can be started together (see <see cref="CachePrefetch"/>).
/// Per-thread and reused.
/// </summary>
internal sealed class ArticleTokens
{
    public int Count;
    public ScannedToken[] Items = new ScannedToken[256];
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
        if (Count == Items.Length) Array.Resize(ref Items, Count * 2);
        Items[Count++] = new ScannedToken(start, length, CharCount, foldLength, hash, packed, a, b);
        CharCount += foldLength;
    }

    public ReadOnlySpan<char> Folded(in ScannedToken token) => Chars.AsSpan(token.FoldAt, token.FoldLength);
}

/// <summary>A token: where it is in the original text, where its folded text is in <see cref="ArticleTokens.Chars"/>,
/// and its key table hash and, when <c>Packed</c>, its packed form (<see cref="KeyTable.TryPack"/>).</summary>
internal readonly record struct ScannedToken(int Start, int Length, int FoldAt, int FoldLength, uint Hash, bool Packed, ulong A, ulong B);
