using System.Net;
using System.Text.RegularExpressions;

namespace Alerts.Core.Feeds;

/// <summary>
/// Feed summaries are HTML fragments; matching and emails want plain text. A tolerant regex pass is enough here:
/// the text is only searched and shown as text, never rendered, so imperfect markup cannot inject anything.
/// </summary>
public static partial class HtmlText
{
    public static string ToPlainText(string? html)
    {
        if (string.IsNullOrWhiteSpace(html))
            return "";
        var text = Invisible().Replace(html, " ");
        text = Tag().Replace(text, " ");
        text = WebUtility.HtmlDecode(text);
        return Whitespace().Replace(text, " ").Trim();
    }

    // Script and style contents are code, not text; comments and CDATA markers are noise.
    [GeneratedRegex(@"<(script|style|noscript|template)\b[^>]*>.*?</\1\s*>|<!--.*?-->|<!\[CDATA\[|\]\]>",
        RegexOptions.IgnoreCase | RegexOptions.Singleline | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Invisible();

    [GeneratedRegex(@"</?[a-zA-Z!][^>]*>", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Tag();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 2000)]
    private static partial Regex Whitespace();
}
