using System.Net;
using System.Text;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>A news article's web page as sites serve them: navigation, the story in an &lt;article&gt;, a footer.</summary>
public static class ArticlePage
{
    public static string Html(string headline, params string[] paragraphs)
    {
        var html = new StringBuilder("<!DOCTYPE html><html><head><meta charset=\"utf-8\"><title>")
            .Append(WebUtility.HtmlEncode(headline))
            .Append(" - Example News</title></head><body><nav><a href=\"/\">Home</a> <a href=\"/world\">World</a> <a href=\"/sport\">Sport</a></nav>")
            .Append("<main><article><h1>").Append(WebUtility.HtmlEncode(headline)).Append("</h1>");
        foreach (var paragraph in paragraphs)
            html.Append("<p>").Append(WebUtility.HtmlEncode(paragraph)).Append("</p>");
        html.Append("</article></main><footer><p>Copyright Example News. <a href=\"/privacy\">Privacy</a></p></footer></body></html>");
        return html.ToString();
    }

    /// <summary>A story long enough for a readability extractor to take it for the page's article.</summary>
    public static string Story(string headline, string sentenceWithTheWord) => Html(
        headline,
        "The port authority met on Tuesday morning to review the season's shipping schedules and the state of the old quays, which have needed repair for years.",
        "Officials said the work would take most of the year and that ferries would keep running on a reduced timetable while the cranes are replaced.",
        sentenceWithTheWord,
        "Traders in the market near the waterfront said they welcomed the news, though several worried about the cost of the delays to their business.",
        "A final decision on the budget for the second phase of the project is expected when the council meets again next month.");
}
