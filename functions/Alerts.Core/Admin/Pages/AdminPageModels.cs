using Alerts.Core.Feeds;

namespace Alerts.Core.Admin.Pages;

/// <summary>
/// What every admin page carries. <c>Code</c> is the admin key as a query suffix ("?code=…", or "?" when the key
/// came as a header), appended to every link and form so they keep working; it is already URL-escaped.
/// </summary>
public abstract record AdminPageModel(string SiteName, string Code)
{
    /// <summary>"/" + the path + the key suffix: a link or form action that keeps the key.</summary>
    public string Link(string path) => "/" + path + Code;
}

/// <param name="Feeds">The rows shown (after the filter), in display order.</param>
public sealed record FeedsPageModel(
    string SiteName, string Code, string? Notice, string? Error, bool ErroredOnly, int AllCount, int ErroredCount,
    IReadOnlyList<Feed> Feeds, DateTimeOffset Now) : AdminPageModel(SiteName, Code);

public sealed record ImportPageModel(string SiteName, string Code, IReadOnlyList<ImportResult> Results) : AdminPageModel(SiteName, Code);

public sealed record EditPageModel(string SiteName, string Code, Feed Feed) : AdminPageModel(SiteName, Code);

/// <param name="Report">The fetched report after a POST; null on the empty form.</param>
public sealed record TestPageModel(string SiteName, string Code, string Url, string? Error, FeedTestReport? Report) : AdminPageModel(SiteName, Code);

/// <param name="Key">The raw admin key, carried as a hidden field of the GET form; null when it came as a header.</param>
public sealed record StatsPageModel(string SiteName, string Code, string? Key, ValueStats Stats) : AdminPageModel(SiteName, Code);

/// <summary>A short page with a heading, used for 404s; <c>BackToFeeds</c> adds the link back.</summary>
public sealed record MessagePageModel(string SiteName, string Code, string Title, string Heading, bool BackToFeeds) : AdminPageModel(SiteName, Code);

/// <summary>The 401 page: it knows no key, so it links nowhere.</summary>
public sealed record KeyRequiredPageModel(string SiteName);
