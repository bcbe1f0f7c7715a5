using System.Xml.Linq;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>RSS and JSON Feed text fields: HTML (escaped, in CDATA, or unescaped child markup) to plain text.</summary>
internal static class FeedText
{
    public static string Html(XElement? e) => e is null ? "" : HtmlText.ToPlainText(FeedXml.Markup(e));
}
