namespace Alerts.Core.Matching;

/// <summary>
/// The article scan: tokenises and folds an article's title and body exactly as <see cref="TextAnalyzer"/> does
/// for the evaluator (same tokens, positions, sentence breaks and joined hyphenated words), looks every word up in
/// the index's keys (as a word, a title word, the prefixes it starts with, and its site's domains) and records the
/// occurrences of the keys found in the <see cref="ScannedArticle"/>. Words no query needs are dropped here, so
/// later stages see only keys. The scan starts each key table read as it hashes a word, so that by the lookups
/// most of the index memory they touch is already in cache.
/// </summary>
internal static class ArticleScanner
{
    public static void Scan(IndexKeys keys, MatchDocument document, MatchScratch s)
    {
        ScanField(keys, document.Title ?? "", DocumentField.Title, 0, s);
        ScanField(keys, document.Body ?? "", DocumentField.Body, AnalyzedDocument.BodyBase, s);
        if (keys.Sites.Count > 0 && !string.IsNullOrEmpty(document.Site))
        {
            var (host, start, length) = TextAnalyzer.SiteHost(document.Site);
            var span = host.AsSpan();
            while (span.Length > 0)
            {
                var key = keys.Sites.Find(span);
                if (key >= 0) s.Article.Record(key, new Occurrence(0, start, length, DocumentField.Site));
                var dot = span.IndexOf('.');
                if (dot < 0) break;
                span = span[(dot + 1)..];
            }
        }
        s.Article.Group();
    }

    /// <summary>ASCII letters and digits → their folded form; every other ASCII character separates words (0).</summary>
    private static readonly char[] s_asciiFold = Enumerable.Range(0, 128)
        .Select(c => char.IsAsciiLetterOrDigit((char)c) ? char.ToLowerInvariant((char)c) : '\0').ToArray();

    /// <summary>Tokenises, folds and hashes one field, then looks its words up.</summary>
    private static void ScanField(IndexKeys keys, string text, DocumentField field, int position, MatchScratch s)
    {
        var tokens = s.Tokens;
        var article = s.Article;
        tokens.Clear();
        Tokenize(keys.Words, text, tokens);
        if (field == DocumentField.Title && keys.TitleWords.Count > 0)
            for (var i = 0; i < tokens.Count; i++) keys.TitleWords.PrefetchEntry(tokens.Items[i].Hash);
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
                LookupCompound(keys, text, tokens, i, position + i, field, article);
            var occurrence = new Occurrence(position + i, t.Start, t.Length, field);
            if (t.Packed) LookupPacked(keys, t.A, t.B, t.FoldLength, t.Hash, occurrence, article);
            else LookupText(keys, tokens.Folded(t), occurrence, article);
        }
    }

    /// <summary>
    /// Splits <paramref name="text"/> into folded tokens, packing each (see <see cref="KeyTable.TryPack"/>) and
    /// starting the key table read of its entry. Words that are plain ASCII (nearly all of newswire text) never
    /// leave this loop; a word with other characters goes through <see cref="TokenScanner"/> and
    /// <see cref="TextAnalyzer.Fold(ReadOnlySpan{char}, Span{char}, out string?)"/>, so both paths give exactly the
    /// tokens the evaluator sees.
    /// </summary>
    private static void Tokenize(KeyTable words, string text, ArticleTokens tokens)
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
                i = ScanOtherToken(words, text, i, tokens);
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
                i = ScanOtherToken(words, text, start, tokens);
                chars = tokens.Chars;
                continue;
            }
            if (n <= 16)
            {
                var hash = KeyTable.PackedHash(a, b, n);
                words.PrefetchEntry(hash);
                tokens.Add(start, n, n, hash, packed: true, a, b);
            }
            else tokens.Add(start, n, n, 0, packed: false, 0, 0);
        }
    }

    /// <summary>The next token from <paramref name="from"/> by the general rules; returns where scanning goes on.</summary>
    private static int ScanOtherToken(KeyTable words, string text, int from, ArticleTokens tokens)
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
                words.PrefetchEntry(hash);
                tokens.Add(start, length, folded.Length, hash, packed: true, a, b);
            }
            else tokens.Add(start, length, folded.Length, 0, packed: false, 0, 0);
        }
        return start + length;
    }

    /// <summary>Looks up a packed token as a word, a title word and (its leading parts, masked out of the packed
    /// form) as prefixes, recording the keys found.</summary>
    private static void LookupPacked(IndexKeys keys, ulong a, ulong b, int length, uint hash, Occurrence occurrence, ScannedArticle s)
    {
        var key = keys.Words.FindPacked(a, b, length, hash);
        if (key >= 0)
        {
            s.Record(key, occurrence);
            CachePrefetch.Line(ref keys.Postings[key]);
        }
        if (occurrence.Field == DocumentField.Title && keys.TitleWords.Count > 0)
        {
            var titleKey = keys.TitleWords.FindPacked(a, b, length, hash);
            if (titleKey >= 0) s.Record(titleKey, occurrence);
        }
        if (keys.MaxPrefixLength == 0 || length < QueryParser.MinPrefixLength) return;
        var stem = IndexKeys.StemCode((char)(a & 0xFF), (char)(a >> 8 & 0xFF), (char)(a >> 16 & 0xFF));
        var lengths = stem >= 0 ? keys.PrefixLengths[stem] : keys.NonAsciiPrefixes ? 0xFF : 0;
        if (lengths == 0) return;
        var max = Math.Min(length, keys.MaxPrefixLength);
        for (var len = QueryParser.MinPrefixLength; len <= max; len++)
        {
            if ((lengths & IndexKeys.LengthBit(len)) == 0) continue;
            var pa = len >= 8 ? a : a & ((1UL << (8 * len)) - 1);
            var pb = len >= 16 ? b : len <= 8 ? 0 : b & ((1UL << (8 * (len - 8))) - 1);
            var prefixHash = KeyTable.PackedHash(pa, pb, len);
            if (!keys.Prefixes.MayContain(prefixHash)) continue;
            var prefixKey = keys.Prefixes.FindPacked(pa, pb, len, prefixHash);
            if (prefixKey >= 0) s.Record(prefixKey, occurrence);
        }
    }

    /// <summary>
    /// A hyphenated word from token <paramref name="first"/> on, joined, looked up as a word and a title word (not
    /// as prefixes), before the first part itself, as the evaluator does (<see cref="TextAnalyzer.CompoundEnd"/>).
    /// No sentence break falls inside a hyphenated word, so its parts hold consecutive positions.
    /// </summary>
    private static void LookupCompound(IndexKeys keys, string text, ArticleTokens tokens, int first, int position, DocumentField field, ScannedArticle s)
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
        var key = keys.Words.Find(joined);
        if (key >= 0) s.Record(key, occurrence);
        if (field == DocumentField.Title && keys.TitleWords.Count > 0)
        {
            var titleKey = keys.TitleWords.Find(joined);
            if (titleKey >= 0) s.Record(titleKey, occurrence);
        }
    }

    /// <summary>The same for a token without a packed form (long, or with characters beyond U+00FF).</summary>
    private static void LookupText(IndexKeys keys, ReadOnlySpan<char> folded, Occurrence occurrence, ScannedArticle s)
    {
        var key = keys.Words.Find(folded);
        if (key >= 0) s.Record(key, occurrence);
        if (occurrence.Field == DocumentField.Title && keys.TitleWords.Count > 0)
        {
            var titleKey = keys.TitleWords.Find(folded);
            if (titleKey >= 0) s.Record(titleKey, occurrence);
        }
        var max = Math.Min(folded.Length, keys.MaxPrefixLength);
        for (var len = QueryParser.MinPrefixLength; len <= max; len++)
        {
            var prefixKey = keys.Prefixes.Find(folded[..len]);
            if (prefixKey >= 0) s.Record(prefixKey, occurrence);
        }
    }
}
