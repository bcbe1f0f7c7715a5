using System.Security.Cryptography;
using System.Text;

namespace Alerts.Core.Feeds;

public enum FeedStatus
{
    Active,
    Paused,
    Disabled,
    /// <summary>Deleted by an admin; kept until its articles pass the retention period, then purged.</summary>
    Deleted,
}

/// <summary>How an item's identity is chosen. <see cref="Auto"/> suits almost every feed; the others fix broken ones.</summary>
public enum ItemIdentity
{
    /// <summary>Guid, else link, else content hash; a guid repeated within one document falls back to the link.</summary>
    Auto,
    /// <summary>Link first: for feeds whose guids change on every fetch.</summary>
    Link,
    /// <summary>Hash of title, link and summary: for feeds whose guids and links both repeat.</summary>
    Content,
}

/// <summary>Whether each new item's own page is fetched for its full text (for feeds that carry only summaries).</summary>
public enum FullTextMode
{
    Off,
    /// <summary>Every new item's page.</summary>
    On,
    /// <summary>The page of a new item whose summary and content together run to fewer than <see cref="ArticleFullText.AutoWordThreshold"/> words.</summary>
    Auto,
}

/// <summary>Why the last fetch failed. Recorded on the feed; feed faults never fail the queue message.</summary>
public enum FeedErrorKind
{
    /// <summary>A non-success HTTP status (see <see cref="Feed.LastHttpStatus"/>).</summary>
    Http,
    Timeout,
    /// <summary>The body exceeded <see cref="FeedFetchOptions.MaxResponseBytes"/>.</summary>
    TooLarge,
    /// <summary>The body is not a feed the parser understands (HTML, broken or hostile XML).</summary>
    NotAFeed,
    /// <summary>DNS, connection refused/reset, TLS and similar transport failures.</summary>
    Network,
    /// <summary>The host resolves to a loopback, private, link-local or metadata address (SSRF guard).</summary>
    Refused,
}

/// <summary>A subscribed feed and its polling state.</summary>
/// <param name="Id">First 16 lower-hex chars of SHA-256 of the normalised URL (see <see cref="IdFor"/>).</param>
/// <param name="Tags">Comma-separated.</param>
/// <param name="ETag">The server's HTTP validator, sent back as If-None-Match.</param>
/// <param name="LastModified">The server's Last-Modified, sent back as If-Modified-Since.</param>
/// <param name="ContentHash">Lower-hex SHA-256 of the last body parsed; catches servers that ignore validators.</param>
/// <param name="LastBodyBytes">Size of the last full body, credited to <paramref name="BytesSavedBy304"/> on each 304.</param>
/// <param name="Identity">Per-feed override of how items are told apart.</param>
/// <param name="PublisherFloor">The longest of the publisher's RSS ttl / sy:updatePeriod; never polled more often.</param>
/// <param name="FailingSince">When the current run of failures began; null while healthy.</param>
/// <param name="BrokenAlertSentAt">When admins were told this feed is broken; cleared when the recovery email is claimed after a success (which may wait for the send rate).</param>
/// <param name="DeletedAt">When an admin deleted it; its articles are purged after the retention period.</param>
/// <param name="FullText">Admin-chosen: fetch new items' pages and match on their extracted article text.</param>
/// <param name="FirstFetchedAt">The first successful fetch: items first seen then are the feed's backlog; items first
/// seen later are arrivals, which drive the adaptive interval (<see cref="FeedSchedule.AdaptiveInterval(IEnumerable{DateTimeOffset}, IEnumerable{DateTimeOffset}, TimeSpan, TimeSpan, TimeSpan, DateTimeOffset)"/>).</param>
public sealed record Feed(
    string Id,
    string Url,
    string Title,
    string SiteUrl,
    FeedStatus Status,
    string? DisabledReason,
    string Tags,
    DateTimeOffset CreatedAt,
    string? ETag,
    DateTimeOffset? LastModified,
    string? ContentHash,
    DateTimeOffset NextCheckAt,
    DateTimeOffset? LastCheckedAt,
    DateTimeOffset? LastSuccessAt,
    int? LastHttpStatus,
    string? LastError,
    FeedErrorKind? LastErrorKind,
    int ConsecutiveFailures,
    TimeSpan PollInterval,
    DateTimeOffset? LastNewItemAt,
    long ItemsSeen,
    long BytesSavedBy304,
    long LastBodyBytes,
    int? LastResponseMs,
    ItemIdentity Identity = ItemIdentity.Auto,
    TimeSpan? PublisherFloor = null,
    DateTimeOffset? FailingSince = null,
    DateTimeOffset? BrokenAlertSentAt = null,
    DateTimeOffset? DeletedAt = null,
    DateTimeOffset? FirstFetchedAt = null,
    FullTextMode FullText = FullTextMode.Off)
{
    /// <summary>
    /// What the parser repaired to read the last document ("3 undeclared entities repaired"); null when it was
    /// well-formed. Shown on the feed's health row; never a failure.
    /// </summary>
    public string? LastRepairs { get; init; }

    /// <summary>A new active feed, due immediately.</summary>
    public static Feed Create(string url, DateTimeOffset now, TimeSpan pollInterval, string title = "", string tags = "")
    {
        var normalised = NormaliseUrl(url);
        return new Feed(
            IdFor(normalised), normalised, title, SiteUrl: "", FeedStatus.Active, DisabledReason: null, tags, now,
            ETag: null, LastModified: null, ContentHash: null, NextCheckAt: now, LastCheckedAt: null, LastSuccessAt: null,
            LastHttpStatus: null, LastError: null, LastErrorKind: null, ConsecutiveFailures: 0, pollInterval,
            LastNewItemAt: null, ItemsSeen: 0, BytesSavedBy304: 0, LastBodyBytes: 0, LastResponseMs: null);
    }

    /// <summary>
    /// Absolute http(s) URL with scheme and host lower-cased, default port and fragment dropped.
    /// Path and query keep their case: servers may treat them case-sensitively.
    /// </summary>
    public static string NormaliseUrl(string url)
    {
        if (!Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new ArgumentException($"'{url}' is not an absolute http(s) URL.", nameof(url));
        // Uri already lower-cases scheme and host and drops a default port; only the fragment has to go.
        return uri.GetComponents(UriComponents.AbsoluteUri & ~UriComponents.Fragment, UriFormat.UriEscaped);
    }

    /// <summary>Hex, so the id never contains '_' (the article id separator) nor characters Table keys forbid.</summary>
    public static string IdFor(string url)
    {
        var digest = SHA256.HashData(Encoding.UTF8.GetBytes(NormaliseUrl(url)));
        return Convert.ToHexStringLower(digest)[..16];
    }

    /// <summary>Host of the feed URL, lower case: the unit of per-host politeness.</summary>
    public string Host => Uri.TryCreate(Url, UriKind.Absolute, out var uri) ? uri.Host : "";

    /// <summary>Errored: the last check failed.</summary>
    public bool IsErrored => ConsecutiveFailures > 0 || Status == FeedStatus.Disabled;

    /// <summary>Items first seen per day since the feed was added (at least one day, so a new feed is not inflated).</summary>
    public double ItemsPerDay(DateTimeOffset now) => ItemsSeen / Math.Max(1, (now - CreatedAt).TotalDays);

    /// <summary>Host of the site link when the feed gave one, else of the feed URL.</summary>
    public string Site =>
        Uri.TryCreate(SiteUrl, UriKind.Absolute, out var site) && site.Host.Length > 0 ? site.Host
        : Uri.TryCreate(Url, UriKind.Absolute, out var feed) ? feed.Host
        : "";
}
