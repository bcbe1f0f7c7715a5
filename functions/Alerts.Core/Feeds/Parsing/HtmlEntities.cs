using AngleSharp.Html;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// The HTML5 named character references (all 2,231 of them, from AngleSharp's table), looked up the way feeds write
/// them: exact case first (<c>&amp;Eacute;</c> is not <c>&amp;eacute;</c>), then lower case (<c>&amp;NBSP;</c>,
/// <c>&amp;Hellip;</c>), then capitalised. Numeric references 128-159 are the Windows-1252 characters, as in HTML5.
/// </summary>
internal static class HtmlEntities
{
    /// <summary>The text of the entity <paramref name="name"/> (without '&amp;' and ';'), or null when HTML has none.</summary>
    public static string? Lookup(string name)
    {
        if (name.Length is 0 or > 40)
            return null;
        // AngleSharp keys most names with their ';' ("rsquo;") and the legacy ones also without ("nbsp").
        var resolver = HtmlEntityProvider.Resolver;
        if ((resolver.GetSymbol(name + ";") ?? resolver.GetSymbol(name)) is { } exact)
            return exact;
        var lower = name.ToLowerInvariant();
        if (lower != name && (resolver.GetSymbol(lower + ";") ?? resolver.GetSymbol(lower)) is { } folded)
            return folded;
        var capitalised = char.ToUpperInvariant(lower[0]) + lower[1..];
        return capitalised != name ? resolver.GetSymbol(capitalised + ";") ?? resolver.GetSymbol(capitalised) : null;
    }

    /// <summary>A numeric reference's text, with HTML5's repairs: 1252 for 128-159, U+FFFD for nothing XML can hold.</summary>
    public static string FromCodePoint(int code)
    {
        if (code is >= 0x80 and <= 0x9F)
            return Windows1252.Map((char)code).ToString();
        if (code is 0x9 or 0xA or 0xD or (>= 0x20 and <= 0xD7FF) or (>= 0xE000 and <= 0xFFFD) or (>= 0x10000 and <= 0x10FFFF))
            return char.ConvertFromUtf32(code);
        return "\uFFFD";
    }

    /// <summary>Decodes character references in text that has no markup (the fast path of <see cref="HtmlText"/>).</summary>
    public static string Decode(string text)
    {
        var amp = text.IndexOf('&');
        if (amp < 0)
            return text;
        var output = new System.Text.StringBuilder(text.Length);
        output.Append(text, 0, amp);
        for (var i = amp; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '&' && TryReference(text, i, out var value, out var length))
            {
                output.Append(value);
                i += length - 1;
            }
            else
                output.Append(c);
        }
        return output.ToString();
    }

    private static int Digit(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    /// <summary>
    /// Reads a reference starting at the '&amp;' at <paramref name="at"/>: <c>&amp;name;</c>, <c>&amp;#65;</c>,
    /// <c>&amp;#x41;</c> or <c>&amp;#X41;</c>. The ';' is required, so "AT&amp;T" and "?a=1&amp;b=2" stay as written.
    /// </summary>
    public static bool TryReference(string text, int at, out string value, out int length) =>
        TryReference(text, at, out value, out length, out _);

    /// <param name="repaired">True when XML would not have read it as written (&amp;#X41;, 128-159, a code point XML forbids).</param>
    public static bool TryReference(string text, int at, out string value, out int length, out bool repaired)
    {
        value = "";
        repaired = false;
        length = 0;
        var i = at + 1;
        if (i < text.Length && text[i] == '#')
        {
            i++;
            var hex = i < text.Length && (text[i] == 'x' || text[i] == 'X');
            if (hex)
                i++;
            var start = i;
            long code = 0;
            while (i < text.Length && i - start < 8 && (hex ? char.IsAsciiHexDigit(text[i]) : char.IsAsciiDigit(text[i])))
                code = code * (hex ? 16 : 10) + Digit(text[i++]);
            if (i == start || i >= text.Length || text[i] != ';')
                return false;
            value = FromCodePoint(code > 0x10FFFF ? 0xFFFD : (int)code);
            repaired = text[at + 2] == 'X' || code is >= 0x80 and <= 0x9F || value == "\uFFFD";
            length = i + 1 - at;
            return true;
        }
        var nameStart = i;
        while (i < text.Length && i - nameStart <= 40 && char.IsAsciiLetterOrDigit(text[i]))
            i++;
        if (i == nameStart || i >= text.Length || text[i] != ';')
            return false;
        var symbol = Lookup(text[nameStart..i]);
        if (symbol is null)
            return false;
        value = symbol;
        length = i + 1 - at;
        return true;
    }
}
