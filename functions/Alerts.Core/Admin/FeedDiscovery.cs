using System.Net;
using System.Text.RegularExpressions;

namespace Alerts.Core.Admin;

/// <summary>Finds feeds a web page advertises with <c>&lt;link rel="alternate" type="application/rss+xml" href="…"&gt;</c>.</summary>
public static partial class FeedDiscovery
{
    private static readonly string[] FeedTypes =
        ["application/rss+xml", "application/atom+xml", "application/feed+json", "application/json", "application/rdf+xml", "text/xml", "application/xml"];

    [GeneratedRegex(@"<link\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex LinkTag();

    [GeneratedRegex(@"<base\b[^>]*>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex BaseTag();

    [GeneratedRegex("""([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""", RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex Attribute();

    /// <summary>Absolute feed URLs in document order (RSS/Atom/JSON Feed alternates; http and https only).</summary>
    public static IReadOnlyList<string> FindFeedLinks(string html, Uri pageUrl)
    {
        var baseUrl = pageUrl;
        if (BaseTag().Match(html) is { Success: true } baseTag && Attributes(baseTag.Value).TryGetValue("href", out var baseHref)
            && Uri.TryCreate(pageUrl, baseHref, out var resolvedBase))
            baseUrl = resolvedBase;

        var found = new List<string>();
        foreach (Match tag in LinkTag().Matches(html))
        {
            var attributes = Attributes(tag.Value);
            if (!attributes.TryGetValue("rel", out var rel) || !rel.Split(' ', StringSplitOptions.RemoveEmptyEntries).Contains("alternate", StringComparer.OrdinalIgnoreCase))
                continue;
            if (!attributes.TryGetValue("type", out var type) || !FeedTypes.Contains(type.Split(';')[0].Trim(), StringComparer.OrdinalIgnoreCase))
                continue;
            if (!attributes.TryGetValue("href", out var href) || !Uri.TryCreate(baseUrl, href.Trim(), out var url)
                || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
                continue;
            var absolute = url.ToString();
            if (!found.Contains(absolute))
                found.Add(absolute);
        }
        return found;
    }

    /// <summary>Whether a body that did not parse as a feed is an HTML page (worth looking for alternates in).</summary>
    public static bool LooksLikeHtml(string text, string? contentType) =>
        contentType?.Contains("html", StringComparison.OrdinalIgnoreCase) == true
        || text.AsSpan(0, Math.Min(text.Length, 2048)).Contains("<html", StringComparison.OrdinalIgnoreCase);

    private static Dictionary<string, string> Attributes(string tag)
    {
        var attributes = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (Match attribute in Attribute().Matches(tag))
        {
            var value = attribute.Groups[2].Success ? attribute.Groups[2].Value : attribute.Groups[3].Success ? attribute.Groups[3].Value : attribute.Groups[4].Value;
            attributes.TryAdd(attribute.Groups[1].Value, WebUtility.HtmlDecode(value));
        }
        return attributes;
    }
}
