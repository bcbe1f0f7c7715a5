namespace Alerts.Core.Matching;

/// <summary>
/// The one site restriction rule: a subscription limited to some sites takes an article only when the article's
/// host is one of them or under one ("reuters.com" covers "www.reuters.com" but not "notreuters.com").
/// </summary>
public static class SiteFilter
{
    public static bool Allows(IReadOnlyList<string>? sites, string? site)
    {
        if (sites is not { Count: > 0 })
            return true;
        var host = TextAnalyzer.SiteHost(site).Host;
        return TextAnalyzer.SiteSuffixes(host).Any(suffix => sites.Contains(suffix, StringComparer.Ordinal));
    }
}
