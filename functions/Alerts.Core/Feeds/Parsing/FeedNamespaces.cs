namespace Alerts.Core.Feeds.Parsing;

/// <summary>The namespaces of the feed formats and the modules the parser reads, and the usual prefix of each.</summary>
internal static class FeedNamespaces
{
    public const string Atom10 = "http://www.w3.org/2005/Atom";
    public const string Atom03 = "http://purl.org/atom/ns#";
    public const string Rss10 = "http://purl.org/rss/1.0/";
    public const string Rss090 = "http://my.netscape.com/rdf/simple/0.9/";
    public const string Rdf = "http://www.w3.org/1999/02/22-rdf-syntax-ns#";
    public const string Dc = "http://purl.org/dc/elements/1.1/";
    public const string DcTerms = "http://purl.org/dc/terms/";
    public const string Content = "http://purl.org/rss/1.0/modules/content/";
    public const string Media = "http://search.yahoo.com/mrss/";
    public const string Itunes = "http://www.itunes.com/dtds/podcast-1.0.dtd";
    public const string Xhtml = "http://www.w3.org/1999/xhtml";

    /// <summary>The short name the mapper uses for elements of <paramref name="uri"/>; null for a format's own namespace.</summary>
    public static string? Module(string uri) => uri.TrimEnd('/', '#') switch
    {
        "" => null,
        "http://purl.org/rss/1.0" or "http://my.netscape.com/rdf/simple/0.9" or "http://backend.userland.com/rss2" or "http://blogs.law.harvard.edu/tech/rss" => null,
        "http://www.w3.org/2005/Atom" or "http://purl.org/atom/ns" => "atom",
        "http://purl.org/dc/elements/1.1" or "http://purl.org/dc/terms" => "dc",
        "http://purl.org/rss/1.0/modules/content" => "content",
        "http://search.yahoo.com/mrss" or "http://video.search.yahoo.com/mrss" => "media",
        "http://www.w3.org/1999/02/22-rdf-syntax-ns" => "rdf",
        "http://www.itunes.com/dtds/podcast-1.0.dtd" => "itunes",
        "http://www.w3.org/1999/xhtml" => "xhtml",
        "http://purl.org/rss/1.0/modules/syndication" => "sy",
        var other => "x:" + other,
    };

    /// <summary>A namespace for a prefix a document uses without declaring it (feeds often forget dc: or media:).</summary>
    public static string ForUndeclaredPrefix(string prefix) => prefix.ToLowerInvariant() switch
    {
        "dc" => Dc,
        "dcterms" => DcTerms,
        "content" => Content,
        "media" => Media,
        "atom" or "atom10" => Atom10,
        "rdf" => Rdf,
        "itunes" => Itunes,
        "xhtml" => Xhtml,
        "sy" => "http://purl.org/rss/1.0/modules/syndication/",
        _ => "urn:x-undeclared:" + prefix,
    };
}
