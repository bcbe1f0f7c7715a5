using System.Text;
using System.Xml.Linq;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// Atom text constructs as plain text: <c>type="text"</c> is literal text, <c>"html"</c> is escaped HTML,
/// <c>"xhtml"</c> is inline markup (a div); Atom 0.3's <c>mode="escaped"</c> and <c>mode="base64"</c> and MIME
/// types ("text/html", "application/xhtml+xml"). Content given only by <c>src</c> or in a binary type has no text.
/// </summary>
internal static class AtomText
{
    public static string Plain(XElement? e, ParseBudget budget)
    {
        if (e is null)
            return "";
        budget.Add(e.Value.Length + (e.HasElements ? 64 : 0));
        var type = (FeedXml.Attribute(e, "type") ?? "").Trim().ToLowerInvariant();
        var mode = (FeedXml.Attribute(e, "mode") ?? "").Trim().ToLowerInvariant();
        var value = e.Value;
        if (mode == "base64")
        {
            var bytes = new byte[value.Length];
            if (!Convert.TryFromBase64String(new string(value.Where(c => !char.IsWhiteSpace(c)).ToArray()), bytes, out var written))
                return "";
            value = Encoding.UTF8.GetString(bytes, 0, written);
            return type is "" or "text" or "text/plain" ? Collapse(value) : HtmlText.ToPlainText(value);
        }
        return type switch
        {
            "html" or "text/html" => HtmlText.ToPlainText(value),
            "xhtml" or "application/xhtml+xml" => HtmlText.ToPlainText(FeedXml.Markup(e)),
            "" or "text" or "text/plain" when mode == "escaped" => HtmlText.ToPlainText(value),
            // Atom 0.3's default mode is inline XML; sloppy feeds put markup in untyped text constructs too.
            "" or "text" or "text/plain" => e.HasElements ? HtmlText.ToPlainText(FeedXml.Markup(e)) : Collapse(value),
            _ when type.StartsWith("text/", StringComparison.Ordinal) => Collapse(value),
            _ when type.EndsWith("+xml", StringComparison.Ordinal) || type.EndsWith("/xml", StringComparison.Ordinal) => HtmlText.ToPlainText(FeedXml.Markup(e)),
            _ => "",
        };
    }

    private static string Collapse(string text) => HtmlText.Collapse(text);
}
