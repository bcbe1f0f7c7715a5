namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// The fast path of <see cref="HtmlText"/> for the markup nearly every feed sends: text, character references and
/// ordinary tags. Tags are read as the HTML5 tokenizer reads them (a tag opens at '&lt;' + letter; attribute values
/// quoted only after '=', so a '&gt;' inside one does not end the tag; a tag cut off by the end is dropped). Anything
/// else (comments, doctypes, processing instructions, script, style and the other raw-text or invisible elements)
/// is declined, and AngleSharp's tokenizer reads the field instead. Linear: every character is looked at once.
/// </summary>
internal static class PlainMarkup
{
    private static readonly HashSet<string> Declined = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "xmp", "iframe", "noembed", "noframes", "noscript", "template", "head", "object", "svg", "math",
        "select", "title", "textarea", "plaintext",
    };

    /// <summary>False when the markup needs the full tokenizer; <paramref name="output"/> is then incomplete.</summary>
    public static bool TryToText(string html, CollapsedText output, HashSet<string> block)
    {
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            var end = lt < 0 ? html.Length : lt;
            if (end > i)
                AppendText(html, i, end, output);
            if (lt < 0)
                return true;
            i = lt + 1;
            if (i >= html.Length)
            {
                output.Append('<'); // a lone '<' at the end is text
                return true;
            }
            var c = html[i];
            if (c is '!' or '?')
                return false;
            var endTag = c == '/';
            if (endTag)
                i++;
            if (i >= html.Length || !char.IsAsciiLetter(html[i]))
            {
                if (endTag)
                    return false; // "</>" and "</ x>" are comments or nothing in HTML5: the tokenizer decides
                output.Append('<'); // "a < b", "<3": text
                continue;
            }
            var nameStart = i;
            while (i < html.Length && !char.IsWhiteSpace(html[i]) && html[i] is not ('/' or '>'))
                i++;
            var name = html.AsSpan(nameStart, i - nameStart);
            if (!endTag && IsDeclined(name))
                return false;
            var close = TagEnd(html, i);
            if (close < 0)
                return true; // cut off inside a tag: HTML5 drops the tag
            if (block.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name))
                output.Append(' ');
            i = close + 1;
        }
        return true;
    }

    private static bool IsDeclined(ReadOnlySpan<char> name) => Declined.GetAlternateLookup<ReadOnlySpan<char>>().Contains(name);

    /// <summary>The index of the '&gt;' that ends the tag whose attributes start at <paramref name="i"/>, or -1.</summary>
    private static int TagEnd(string html, int i)
    {
        while (i < html.Length)
        {
            var c = html[i];
            if (c == '>')
                return i;
            if (c == '=')
            {
                i++;
                while (i < html.Length && char.IsWhiteSpace(html[i]))
                    i++;
                if (i < html.Length && html[i] is '"' or '\'')
                {
                    var quote = html.IndexOf(html[i], i + 1);
                    if (quote < 0)
                        return -1;
                    i = quote + 1;
                    continue;
                }
                continue; // an unquoted value ends at whitespace or '>', both handled above
            }
            i++;
        }
        return -1;
    }

    private static void AppendText(string html, int start, int end, CollapsedText output)
    {
        var amp = html.IndexOf('&', start, end - start);
        if (amp < 0)
        {
            output.Append(html.AsSpan(start, end - start));
            return;
        }
        output.Append(HtmlEntities.Decode(html[start..end]));
    }
}
