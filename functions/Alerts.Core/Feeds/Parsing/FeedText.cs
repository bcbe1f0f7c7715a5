using System.Xml.Linq;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>RSS and JSON Feed text fields: HTML (escaped, in CDATA, or unescaped child markup) to plain text.</summary>
internal static class FeedText
{
    public static string Html(XElement? e, ParseBudget budget)
    {
        if (e is null)
            return "";
        var markup = FeedXml.Markup(e);
        budget.Add(markup.Length);
        return HtmlText.ToPlainText(markup);
    }
}
