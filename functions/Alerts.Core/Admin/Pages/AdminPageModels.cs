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
/// <param name="Notice">Success, in green; <paramref name="Warning"/> is done-but-look (amber); <paramref name="Error"/> is not done.</param>
/// <param name="ItemsPerDay">By feed id, from <see cref="FeedActivity"/>; null (blank) until measured.</param>
/// <param name="Add">The add form as the admin left it after a failed add; null for an empty form.</param>
/// <param name="Undo">The feed the notice just reported deleted, offered back with an Undo button.</param>
/// <param name="Deleted">Deleted feeds not yet purged, each with an Undo button and its purge time.</param>
public sealed record FeedsPageModel(
    string SiteName, string Code, string? Notice, string? Warning, string? Error, bool ErroredOnly, int AllCount, int ErroredCount,
    IReadOnlyList<Feed> Feeds, IReadOnlyDictionary<string, double?> ItemsPerDay, AddFormModel? Add, Feed? Undo,
    IReadOnlyList<Feed> Deleted, TimeSpan Retention) : AdminPageModel(SiteName, Code);

/// <summary>A failed add: what was typed, what went wrong in plain words, the technical detail, and whether "Add anyway" makes sense.</summary>
public sealed record AddFormModel(string Url, string Tags, string Problem, string? Detail, bool CanAddAnyway);

/// <summary>The step before a delete: what deleting does and for how long it can be undone.</summary>
public sealed record ConfirmDeletePageModel(string SiteName, string Code, Feed Feed, TimeSpan Retention) : AdminPageModel(SiteName, Code);

public sealed record ImportPageModel(string SiteName, string Code, IReadOnlyList<ImportResult> Results) : AdminPageModel(SiteName, Code);

/// <param name="Retention">How long a delete can be undone, for the Polling section's hint.</param>
public sealed record EditPageModel(string SiteName, string Code, Feed Feed, TimeSpan Retention) : AdminPageModel(SiteName, Code);

/// <param name="Report">The fetched report after a POST; null on the empty form.</param>
public sealed record TestPageModel(string SiteName, string Code, string Url, string? Error, FeedTestReport? Report) : AdminPageModel(SiteName, Code);

/// <param name="Key">The raw admin key, carried as a hidden field of the GET form; null when it came as a header.</param>
public sealed record StatsPageModel(string SiteName, string Code, string? Key, ValueStats Stats) : AdminPageModel(SiteName, Code);

/// <summary>A short page with a heading, used for 404s; <c>BackToFeeds</c> adds the link back.</summary>
public sealed record MessagePageModel(string SiteName, string Code, string Title, string Heading, bool BackToFeeds) : AdminPageModel(SiteName, Code);

/// <summary>The 401 page: it knows no key, so it links nowhere.</summary>
public sealed record KeyRequiredPageModel(string SiteName);
