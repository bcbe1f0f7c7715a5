using System.Text.Json;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>JSON Feed 1.0 and 1.1 (author in 1.0, authors in 1.1; content_html, else content_text).</summary>
internal static class JsonFeedFormat
{
    public static bool TryMap(string text, FeedContext context, out ParsedFeed? feed, out string? error)
    {
        feed = null;
        using var document = JsonDocument.Parse(text, new JsonDocumentOptions { MaxDepth = 64, AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        context.Budget.Add(text.Length);
        var root = document.RootElement;
        var version = root.ValueKind == JsonValueKind.Object ? String(root, "version") : null;
        if (version is null || !version.Contains("jsonfeed.org/version/", StringComparison.OrdinalIgnoreCase))
        {
            error = "JSON, but not a JSON Feed (no jsonfeed.org version)";
            return false;
        }
        var feedAuthors = Authors(root);
        var items = new List<ParsedItem>();
        if (root.TryGetProperty("items", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var item in list.EnumerateArray())
            {
                if (items.Count >= context.MaxItems)
                    break;
                if (item.ValueKind != JsonValueKind.Object)
                    continue;
                context.Budget.Add(64);
                var id = item.TryGetProperty("id", out var idValue) && idValue.ValueKind is JsonValueKind.String or JsonValueKind.Number ? idValue.ToString().Trim() : null;
                var url = FeedXml.Url(String(item, "url") ?? String(item, "external_url"), context.DocumentUrl);
                var content = String(item, "content_html") is { } html ? HtmlText.ToPlainText(html) : HtmlText.Collapse(String(item, "content_text") ?? "");
                var authors = Authors(item);
                items.Add(new ParsedItem(
                    string.IsNullOrEmpty(id) ? null : id, url,
                    HtmlText.Collapse(String(item, "title") ?? ""),
                    HtmlText.ToPlainText(String(item, "summary")),
                    content,
                    FeedDates.TryParse(String(item, "date_published") ?? String(item, "date_modified")))
                { Authors = authors.Count > 0 ? authors : feedAuthors });
            }
        var major = version.TrimEnd('/').EndsWith("1.1", StringComparison.Ordinal) ? "1.1" : "1.0";
        feed = new ParsedFeed(HtmlText.Collapse(String(root, "title") ?? ""), FeedXml.Url(String(root, "home_page_url"), context.DocumentUrl) ?? "", items)
        {
            Format = "JSON Feed " + major,
        };
        error = null;
        return true;
    }

    private static IReadOnlyList<ParsedAuthor> Authors(JsonElement e)
    {
        var found = new List<ParsedAuthor?>();
        if (e.TryGetProperty("authors", out var many) && many.ValueKind == JsonValueKind.Array)
            found.AddRange(many.EnumerateArray().Where(a => a.ValueKind == JsonValueKind.Object).Select(Author));
        if (e.TryGetProperty("author", out var one) && one.ValueKind == JsonValueKind.Object)
            found.Add(Author(one));
        return FeedAuthors.Distinct(found);
    }

    private static ParsedAuthor? Author(JsonElement a)
    {
        var url = String(a, "url");
        var email = url is not null && url.StartsWith("mailto:", StringComparison.OrdinalIgnoreCase) ? url : null;
        return FeedAuthors.Make(String(a, "name"), email);
    }

    private static string? String(JsonElement e, string name) =>
        e.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
