using System.Buffers;
using Alerts.Core.Feeds.Parsing;
using AngleSharp.Html;
using AngleSharp.Html.Parser;
using AngleSharp.Html.Parser.Tokens;
using AngleSharp.Text;

namespace Alerts.Core.Feeds;

/// <summary>
/// Feed summaries are HTML fragments; matching and emails want plain text. Read with AngleSharp's HTML5 tokenizer,
/// so a '&gt;' inside a quoted attribute, script and style bodies, comments, character references and unclosed
/// tags read as a browser reads them. The token stream is used without building a tree: text is what is outside
/// tags, minus invisible elements, with a space at block boundaries. That keeps the cost linear whatever the markup
/// (a tree builder is quadratic in nesting depth; a run of "&lt;script " is one tag's attributes, not a backtrack).
/// Text without markup, and markup of only text, references and ordinary tags (<see cref="PlainMarkup"/>), skip the
/// tokenizer, which costs about 70 ns a character. The result is only searched and shown as text, never rendered.
/// </summary>
public static class HtmlText
{
    // Stored content is cut at 30,000 characters anyway; this bounds the work per field.
    private const int MaxHtmlChars = 100_000;

    // Elements whose content is never read as text. Raw-text ones also switch the tokenizer, as the tree builder would.
    private static readonly Dictionary<string, HtmlParseMode?> Invisible = new(StringComparer.OrdinalIgnoreCase)
    {
        ["script"] = HtmlParseMode.Script, ["style"] = HtmlParseMode.Rawtext, ["xmp"] = HtmlParseMode.Rawtext,
        ["iframe"] = HtmlParseMode.Rawtext, ["noembed"] = HtmlParseMode.Rawtext, ["noframes"] = HtmlParseMode.Rawtext,
        ["noscript"] = HtmlParseMode.Rawtext, ["template"] = null, ["head"] = null, ["object"] = null, ["svg"] = null,
        ["math"] = null, ["select"] = null,
    };

    private static readonly HashSet<string> Block = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "aside", "nav", "figure", "figcaption", "img", "address",
        "title", "textarea", "caption", "main", "details", "summary", "option", "body", "html",
    };

    public static string ToPlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
            return "";
        if (html.Length > MaxHtmlChars)
            html = html[..MaxHtmlChars];
        if (!html.Contains('<'))
            return Collapse(HtmlEntities.Decode(html));

        using (var plain = new CollapsedText(html.Length))
        {
            if (PlainMarkup.TryToText(html, plain, Block))
                return plain.ToString();
        }

        using var text = new CollapsedText(html.Length);
        var tokenizer = new HtmlTokenizer(new TextSource(html), HtmlEntityProvider.Resolver);
        string? hidden = null; // the invisible element being skipped
        var hiddenDepth = 0;
        while (true)
        {
            var token = tokenizer.Get();
            switch (token.Type)
            {
                case HtmlTokenType.EndOfFile:
                    return text.ToString();
                case HtmlTokenType.Character when hidden is null:
                    text.Append(token.Data);
                    break;
                case HtmlTokenType.StartTag:
                    var tag = (HtmlTagToken)token;
                    var name = tag.Name;
                    if (Invisible.TryGetValue(name, out var mode))
                    {
                        if (mode is { } rawMode)
                            tokenizer.State = rawMode; // the body is text up to the end tag, never markup
                        if (!tag.IsSelfClosing || mode is not null)
                        {
                            if (hidden is null)
                                (hidden, hiddenDepth) = (name, 1);
                            else if (string.Equals(hidden, name, StringComparison.OrdinalIgnoreCase))
                                hiddenDepth++;
                        }
                        text.Append(' ');
                    }
                    else if (name is "title" or "textarea")
                    {
                        tokenizer.State = HtmlParseMode.RCData;
                        text.Append(' ');
                    }
                    else if (name == "plaintext")
                        tokenizer.State = HtmlParseMode.Plaintext;
                    else if (Block.Contains(name))
                        text.Append(' ');
                    break;
                case HtmlTokenType.EndTag:
                    if (hidden is not null && string.Equals(hidden, token.Name, StringComparison.OrdinalIgnoreCase) && --hiddenDepth == 0)
                        hidden = null;
                    if (hidden is null && (Block.Contains(token.Name) || Invisible.ContainsKey(token.Name)))
                        text.Append(' ');
                    break;
            }
        }
    }

    /// <summary>Whitespace runs (incl. no-break spaces) to one space, trimmed.</summary>
    /// <remarks>Text that is already collapsed (most titles and many bodies) is returned as it is, uncopied.</remarks>
    public static string Collapse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        if (IsCollapsed(text))
            return text;
        using var output = new CollapsedText(text.Length);
        output.Append(text);
        return output.ToString();
    }

    // ASCII characters other than whitespace, and ' ': text made only of these is collapsed unless it has a double
    // space or starts or ends with one, which two vectorised searches tell.
    private static readonly SearchValues<char> AsciiWordOrSpace = SearchValues.Create(
        Enumerable.Range(0, 0x80).Select(c => (char)c).Where(c => c == ' ' || !CollapsedText.IsSpace(c)).ToArray());

    private static bool IsCollapsed(ReadOnlySpan<char> text)
    {
        if (CollapsedText.IsSpace(text[0]) || CollapsedText.IsSpace(text[^1]))
            return false;
        for (var rest = text; ;)
        {
            var other = rest.IndexOfAnyExcept(AsciiWordOrSpace);
            if (other < 0)
                break;
            if (CollapsedText.IsSpace(rest[other]))
                return false;
            rest = rest[(other + 1)..];
        }
        return text.IndexOf("  ", StringComparison.Ordinal) < 0;
    }
}
