using System.Globalization;
using System.Text;

namespace Alerts.Core.Matching;

/// <summary>A word of the original text: its character range and its folded (normalised) form.</summary>
public readonly record struct TextToken(int Start, int Length, string Term);

/// <summary>
/// Splits text into words on Unicode word boundaries and folds them (NFKD, marks dropped, invariant lower case,
/// ß→ss, dotless/dotted i→i). Each CJK character is a token on its own. Queries and documents go through the
/// same code, so whatever folds equal matches; offsets always point into the original string for highlighting.
/// </summary>
public static class TextAnalyzer
{
    public static IReadOnlyList<TextToken> Tokenize(string text)
    {
        var result = new List<TextToken>();
        var scanner = new TokenScanner(text);
        Span<char> buffer = stackalloc char[64];
        while (scanner.Next(out var start, out var length))
        {
            var folded = Fold(text.AsSpan(start, length), buffer, out var heap);
            if (folded.Length > 0) result.Add(new TextToken(start, length, heap ?? folded.ToString()));
        }
        return result;
    }

    /// <summary>Folds one token. Short ASCII tokens fold into <paramref name="buffer"/> without allocating;
    /// otherwise the folded string is returned in <paramref name="heap"/> as well.</summary>
    public static ReadOnlySpan<char> Fold(ReadOnlySpan<char> token, Span<char> buffer, out string? heap)
    {
        heap = null;
        if (token.Length <= buffer.Length && System.Text.Ascii.IsValid(token))
        {
            // Fast path: newswire text is mostly ASCII; a word token contains only letters and digits here.
            for (var i = 0; i < token.Length; i++)
            {
                var c = token[i];
                buffer[i] = c is >= 'A' and <= 'Z' ? (char)(c + 32) : c;
            }
            return buffer[..token.Length];
        }
        heap = FoldSlow(token);
        return heap;
    }

    public static string Fold(string token)
    {
        Span<char> buffer = stackalloc char[64];
        var folded = Fold(token.AsSpan(), buffer, out var heap);
        return heap ?? folded.ToString();
    }

    private static string FoldSlow(ReadOnlySpan<char> token)
    {
        var decomposed = token.ToString().Normalize(NormalizationForm.FormKD);
        var sb = new StringBuilder(decomposed.Length);
        foreach (var rune in decomposed.EnumerateRunes())
        {
            var category = Rune.GetUnicodeCategory(rune);
            if (category == UnicodeCategory.NonSpacingMark) continue; // accents: é→e, İ→I
            if (!IsWordCategory(category)) continue; // e.g. the fraction slash NFKD makes of ½
            var lower = Rune.ToLowerInvariant(rune);
            switch (lower.Value)
            {
                case 'ß': sb.Append("ss"); break;
                case 0x0131: sb.Append('i'); break; // Turkish dotless ı
                case 0x03C2: sb.Append('σ'); break; // Greek final sigma
                default: sb.Append(lower.ToString()); break;
            }
        }
        return sb.ToString();
    }

    internal static bool IsWordCategory(UnicodeCategory c) => c switch
    {
        UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
            or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter
            or UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber
            or UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => true,
        _ => false,
    };

    /// <summary>
    /// Whether a sentence or a paragraph ends between two neighbouring tokens, so that a phrase must not run across
    /// ("Gordon Brown. Tory leaders" is no match for "Brown Tory"). Positions skip one there (see
    /// <see cref="AnalyzedDocument"/>), which keeps phrases inside a sentence and moves proximity windows by one.
    /// A break is a blank line, or '!', '?', '…' or a CJK full stop followed by white space, or '.' followed by
    /// white space and a capital or digit, unless the word before it is one letter ("U.S. officials") or a usual
    /// abbreviation ("Mr. Smith"). The one rule serves the evaluator and the compiled index alike.
    /// </summary>
    public static bool IsSentenceBreak(ReadOnlySpan<char> text, int previousStart, int previousEnd, int nextStart)
    {
        // Fast path: one space, the separator between most words.
        if (nextStart - previousEnd == 1 && text[previousEnd] == ' ') return false;
        var gap = text[previousEnd..nextStart];
        // Most other separators (", ", "-", "'s") hold nothing that could end a sentence: one pass rules them out.
        var candidate = false;
        foreach (var c in gap)
            if (c is '.' or '!' or '?' or '\n' or '\u2026' or '\u2029' or '\u3002' or '\uFF01' or '\uFF1F') { candidate = true; break; }
        if (!candidate) return false;
        var newline = gap.IndexOf('\n');
        if (newline >= 0 && gap[(newline + 1)..].TrimStart(" \t\r").StartsWith("\n")) return true;
        if (gap.IndexOf('\u2029') >= 0) return true;
        var end = gap.IndexOfAny(".!?\u2026\u3002\uFF01\uFF1F");
        if (end < 0) return false;
        if (gap[end] is '\u3002' or '\uFF01' or '\uFF1F') return true; // CJK text has no space after its stops
        var rest = gap[(end + 1)..];
        if (rest.IndexOfAny(" \t\r\n\u00A0") < 0) return false; // "3.5", "e.g": no space after the dot
        if (gap[end] != '.') return true;
        var previous = text[previousStart..previousEnd];
        if (previous.Length == 1 || IsAbbreviation(previous)) return false;
        var next = text[nextStart];
        return char.IsUpper(next) || char.IsDigit(next) || !char.IsLetter(next);
    }

    /// <summary>The most parts of a hyphenated word that are joined into one token ("anti-money-laundering").</summary>
    public const int MaxCompoundParts = 4;

    /// <summary>The longest joined hyphenated word (folded characters); a longer one is only its parts.</summary>
    public const int MaxCompoundLength = 256;

    /// <summary>Whether two neighbouring tokens are parts of one hyphenated word: one hyphen between them.</summary>
    public static bool JoinsCompound(ReadOnlySpan<char> text, int previousEnd, int nextStart) =>
        nextStart == previousEnd + 1 && text[previousEnd] is '-' or '\u2010' or '\u2011';

    /// <summary>
    /// The last token of the hyphenated word that starts at token <paramref name="first"/> (at most
    /// <see cref="MaxCompoundParts"/> parts), or <paramref name="first"/> itself. A hyphenated word is indexed also as
    /// its parts joined, so the query <c>e-mail</c> (the joined word) finds "e-mail" and "email" and
    /// <c>A-level</c> does not find "a level".
    /// </summary>
    public static int CompoundEnd(ReadOnlySpan<char> text, IReadOnlyList<TextToken> tokens, int first)
    {
        var last = first;
        while (last + 1 < tokens.Count && last - first + 1 < MaxCompoundParts
            && JoinsCompound(text, tokens[last].Start + tokens[last].Length, tokens[last + 1].Start))
            last++;
        return last;
    }

    private static readonly string[] s_abbreviations =
    [
        "mr", "mrs", "ms", "dr", "st", "jr", "sr", "prof", "gen", "gov", "sen", "rep", "rev", "lt", "col", "capt", "sgt",
        "mt", "ft", "no", "nos", "vs", "etc", "approx", "inc", "corp", "co", "ltd", "dept", "jan", "feb", "mar", "apr",
        "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec",
    ];

    private static bool IsAbbreviation(ReadOnlySpan<char> word)
    {
        if (word.Length > 6) return false;
        foreach (var a in s_abbreviations)
            if (word.Equals(a, StringComparison.OrdinalIgnoreCase)) return true;
        return false;
    }

    /// <summary>Han, Hiragana, Katakana and Hangul: no spaces between words, so each character is a token.</summary>
    internal static bool IsCjk(int cp) =>
        cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x3134F or >= 0xF900 and <= 0xFAFF
            or >= 0x3040 and <= 0x30FF or >= 0x31F0 and <= 0x31FF or >= 0xFF66 and <= 0xFF9F
            or >= 0xAC00 and <= 0xD7AF or >= 0x1100 and <= 0x11FF or >= 0x3130 and <= 0x318F;

    /// <summary>
    /// The host of a site value ("https://www.Reuters.com/x" → "www.reuters.com"), with its offset in the original
    /// string, so a site: hit can be highlighted. Empty when there is none.
    /// </summary>
    public static (string Host, int Start, int Length) SiteHost(string? site)
    {
        if (string.IsNullOrWhiteSpace(site)) return ("", 0, 0);
        var start = 0;
        var scheme = site.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0) start = scheme + 3;
        while (start < site.Length && char.IsWhiteSpace(site[start])) start++;
        var end = start;
        while (end < site.Length && site[end] is not ('/' or ':' or '?' or '#') && !char.IsWhiteSpace(site[end])) end++;
        var length = end - start;
        while (length > 0 && site[start + length - 1] == '.') length--;
        return (site.Substring(start, length).ToLowerInvariant(), start, length);
    }

    /// <summary>The host and each parent domain: www.reuters.com, reuters.com, com.</summary>
    public static IEnumerable<string> SiteSuffixes(string host)
    {
        if (host.Length == 0) yield break;
        var i = 0;
        while (true)
        {
            yield return host[i..];
            var dot = host.IndexOf('.', i);
            if (dot < 0 || dot + 1 >= host.Length) yield break;
            i = dot + 1;
        }
    }
}

/// <summary>Finds token boundaries in original text without allocating.</summary>
internal ref struct TokenScanner(ReadOnlySpan<char> text)
{
    private readonly ReadOnlySpan<char> _text = text;
    private int _pos;

    public bool Next(out int start, out int length)
    {
        var text = _text;
        while (_pos < text.Length)
        {
            var c = text[_pos];
            if (c < 0x80)
            {
                // ASCII fast path: letters and digits are word characters, everything else separates.
                if (!char.IsAsciiLetterOrDigit(c)) { _pos++; continue; }
                start = _pos;
                _pos++;
                while (_pos < text.Length)
                {
                    var d = text[_pos];
                    if (d < 0x80) { if (!char.IsAsciiLetterOrDigit(d)) break; _pos++; }
                    else if (!ContinuesWord(text, ref _pos)) break;
                }
                length = _pos - start;
                return true;
            }
            Rune.DecodeFromUtf16(text[_pos..], out var rune, out var consumed);
            if (TextAnalyzer.IsCjk(rune.Value))
            {
                start = _pos;
                _pos += consumed;
                // Combining marks after a CJK character (e.g. dakuten) belong to it.
                while (_pos < text.Length && text[_pos] >= 0x80 && IsMarkAt(text, _pos, out var n)) _pos += n;
                length = _pos - start;
                return true;
            }
            if (!TextAnalyzer.IsWordCategory(Rune.GetUnicodeCategory(rune))) { _pos += consumed; continue; }
            start = _pos;
            _pos += consumed;
            while (_pos < text.Length)
            {
                var d = text[_pos];
                if (d < 0x80) { if (!char.IsAsciiLetterOrDigit(d)) break; _pos++; }
                else if (!ContinuesWord(text, ref _pos)) break;
            }
            length = _pos - start;
            return true;
        }
        start = length = 0;
        return false;
    }

    private static bool IsMarkAt(ReadOnlySpan<char> text, int pos, out int consumed)
    {
        Rune.DecodeFromUtf16(text[pos..], out var rune, out consumed);
        return Rune.GetUnicodeCategory(rune) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark;
    }

    private static bool ContinuesWord(ReadOnlySpan<char> text, ref int pos)
    {
        Rune.DecodeFromUtf16(text[pos..], out var rune, out var consumed);
        if (TextAnalyzer.IsCjk(rune.Value)) return false;
        if (!TextAnalyzer.IsWordCategory(Rune.GetUnicodeCategory(rune))) return false;
        pos += consumed;
        return true;
    }
}
