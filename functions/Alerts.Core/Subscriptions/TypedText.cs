using System.Globalization;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// What a subscriber may type into a field that ends up in an email or a page: printable text on one line.
/// Control characters (NUL, BEL, ESC, ...), bidirectional overrides and isolates, zero-width and other format
/// characters are refused at input, because they let a stranger make our emails say something other than they
/// appear to (a reversed URL, a hidden word, a header-looking line).
/// </summary>
public static class TypedText
{
    /// <summary>The first character that is not allowed, or null. Tabs and line breaks count as spaces (see <see cref="OneLine"/>).</summary>
    public static int? FirstRefused(string? text)
    {
        if (text is null)
            return null;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '\t' or '\r' or '\n')
                continue;
            if (char.IsSurrogate(c))
            {
                if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    var category = CharUnicodeInfo.GetUnicodeCategory(text, i);
                    if (category is UnicodeCategory.Format or UnicodeCategory.PrivateUse)
                        return i;
                    i++;
                    continue;
                }
                return i; // a lone surrogate
            }
            switch (CharUnicodeInfo.GetUnicodeCategory(c))
            {
                case UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
                    or UnicodeCategory.ParagraphSeparator or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned:
                    return i;
            }
        }
        return null;
    }

    /// <summary>The message for a field holding a refused character.</summary>
    public static string Problem(string text, int at) =>
        $"Character {at + 1} (U+{char.ConvertToUtf32(text, at):X4}) is not allowed: use printable text only, without control or direction-changing characters.";

    /// <summary>Runs of whitespace (tabs, line breaks) become one space, so what we show stays on one line.</summary>
    public static string OneLine(string text) =>
        string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}
