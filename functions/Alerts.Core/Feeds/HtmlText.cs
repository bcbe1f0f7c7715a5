using System.Text;
using Alerts.Core.Feeds.Parsing;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace Alerts.Core.Feeds;

/// <summary>
/// Feed summaries are HTML fragments; matching and emails want plain text. Parsed with AngleSharp, an HTML5 parser,
/// so a '&gt;' inside a quoted attribute, script and style bodies, comments and unclosed tags read as a browser
/// reads them, in linear time whatever the markup (a run of "&lt;script " is one tag's attributes, not a backtrack).
/// Text without markup skips the parser. The result is only searched and shown as text, never rendered.
/// </summary>
public static class HtmlText
{
    // Stored content is cut at 30,000 characters anyway; this bounds the HTML parser's work per field.
    private const int MaxHtmlChars = 100_000;

    private static readonly HashSet<string> Invisible = new(StringComparer.OrdinalIgnoreCase)
        { "script", "style", "noscript", "template", "head", "iframe", "object", "svg", "math", "select" };

    private static readonly HashSet<string> Block = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "br", "li", "ul", "ol", "dl", "dt", "dd", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th", "table",
        "blockquote", "pre", "hr", "section", "article", "header", "footer", "aside", "nav", "figure", "figcaption", "img", "address",
    };

    [ThreadStatic]
    private static HtmlParser? t_parser;

    public static string ToPlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
            return "";
        if (html.Length > MaxHtmlChars)
            html = html[..MaxHtmlChars];
        if (!html.Contains('<'))
            return Collapse(HtmlEntities.Decode(html));

        var parser = t_parser ??= new HtmlParser(new HtmlParserOptions { IsNotConsumingCharacterReferences = false });
        using var document = parser.ParseDocument(html);
        var text = new StringBuilder(html.Length);
        // Iterative: a document of 10,000 nested tags must not overflow the stack.
        var pending = new Stack<INode>();
        pending.Push(document.DocumentElement);
        while (pending.Count > 0)
        {
            var node = pending.Pop();
            switch (node)
            {
                case IText t:
                    text.Append(t.Data);
                    break;
                case IElement e when Invisible.Contains(e.LocalName):
                    text.Append(' ');
                    break;
                case IElement e:
                    var block = Block.Contains(e.LocalName);
                    if (block)
                        text.Append(' ');
                    var children = e.ChildNodes;
                    if (block)
                        pending.Push(Separator);
                    for (var k = children.Length - 1; k >= 0; k--)
                        pending.Push(children[k]);
                    break;
            }
        }
        return Collapse(text.ToString());
    }

    private static readonly IText Separator = new HtmlParser().ParseDocument("<p> </p>").Body!.FirstElementChild!.FirstChild as IText
        ?? throw new InvalidOperationException("AngleSharp gave no text node");

    /// <summary>Whitespace runs (incl. no-break spaces) to one space, trimmed.</summary>
    public static string Collapse(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var output = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || c == '\u200B')
            {
                space = output.Length > 0;
                continue;
            }
            if (space)
                output.Append(' ');
            space = false;
            output.Append(c);
        }
        return output.ToString();
    }
}
