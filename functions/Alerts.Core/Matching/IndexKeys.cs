namespace Alerts.Core.Matching;

/// <summary>
/// The index's vocabulary: every key some query needs (a word, a title word, a prefix or a site), interned to one
/// dense id, and the <see cref="Posting"/> list of the subscriptions posted under each id. The query compiler
/// interns keys (write lock held); the article scan looks the article's words up (read lock). Keys are never
/// removed: they are bounded by the vocabulary, and a key without postings costs one table entry.
/// </summary>
internal sealed class IndexKeys(Func<string, double>? termWeight)
{
    // Words, prefixes and sites share one dense id space.
    public readonly KeyTable Words = new();
    public readonly KeyTable Prefixes = new(filtered: true);
    public readonly KeyTable Sites = new();
    // A word's occurrences in the title have a key of their own, so title:word is decided by its posting alone.
    public readonly KeyTable TitleWords = new();
    public int Count;
    public int MaxPrefixLength;
    // For each ASCII 3-character stem, the lengths of the prefixes that start with it (bit n: length 3 + n, bit 7:
    // 10 or more; see LengthBit), allocated with the first prefix: most tokens skip the prefix lookups, the others
    // look up only lengths some prefix has.
    public byte[] PrefixLengths = [];
    public bool NonAsciiPrefixes;
    public Posting[] Postings = new Posting[256];

    public int InternWord(string term) => Intern(Words, term);

    public int InternTitleWord(string term) => Intern(TitleWords, term);

    /// <summary>A phrase term is a word, or a prefix (trailing '*'): a prefix key records every word it starts, at
    /// that word's position, so the phrase and proximity programs need nothing else.</summary>
    public int InternPhraseTerm(string term) =>
        PhraseQuery.IsPrefix(term) ? InternPrefix(PhraseQuery.Stem(term)) : InternWord(term);

    public int InternSite(string domain) => Intern(Sites, domain);

    public int InternPrefix(string prefix)
    {
        var key = Intern(Prefixes, prefix);
        MaxPrefixLength = Math.Max(MaxPrefixLength, prefix.Length);
        var stem = StemCode(prefix[0], prefix[1], prefix[2]);
        if (PrefixLengths.Length == 0) PrefixLengths = new byte[StemSpace];
        if (stem >= 0) PrefixLengths[stem] |= (byte)LengthBit(prefix.Length);
        else NonAsciiPrefixes = true;
        return key;
    }

    private int Intern(KeyTable keys, string text)
    {
        var key = keys.GetOrAdd(text, Count);
        if (key != Count) return key;
        Count++;
        if (key >= Postings.Length) Array.Resize(ref Postings, Postings.Length * 2);
        return key;
    }

    /// <summary>How common a folded word is (lower is rarer): the caller's estimate, or else longer words count
    /// as rarer. Key extraction indexes an AND under its rarest part.</summary>
    public double WordCost(string term) =>
        termWeight?.Invoke(term) ?? 1.0 / ((term.Length + 1.0) * (term.Length + 1.0));

    /// <summary>As for a prefix query: a prefix stands for many words, so it is costlier than a word.</summary>
    public double PhraseTermCost(string term) =>
        PhraseQuery.IsPrefix(term) ? 8 * WordCost(PhraseQuery.Stem(term)) : WordCost(term);

    private const int StemSpace = 37 * 37 * 37;

    /// <summary>Code of the first 3 characters if they are [a-z0-9], else -1.</summary>
    public static int StemCode(char c0, char c1, char c2)
    {
        var v0 = StemValue(c0);
        var v1 = StemValue(c1);
        var v2 = StemValue(c2);
        return (v0 | v1 | v2) < 0 ? -1 : (v0 * 37 + v1) * 37 + v2;
    }

    public static int LengthBit(int prefixLength) => 1 << Math.Min(prefixLength - QueryParser.MinPrefixLength, 7);

    private static int StemValue(char c) => c is >= 'a' and <= 'z' ? c - 'a' + 1 : c is >= '0' and <= '9' ? c - '0' + 27 : -1;
}
