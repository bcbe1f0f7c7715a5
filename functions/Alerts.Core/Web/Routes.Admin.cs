namespace Alerts.Core.Web;

/// <summary>Admin API and admin pages. "admin/..." is reserved by the Functions host, hence "api/admin" and "manage-feeds".</summary>
public static partial class Routes
{
    public const string AdminFeedPause = "api/admin/feeds/{id}/pause";
    public const string AdminFeedResume = "api/admin/feeds/{id}/resume";
    public const string AdminFeedRetry = "api/admin/feeds/{id}/retry";
    public const string AdminFeedsRetryErrored = "api/admin/feeds/retry-errored";
    public const string AdminFeedTest = "api/admin/feeds/test";
    public const string AdminOpml = "api/admin/opml";
    public const string AdminStats = "api/admin/stats";
    public const string AdminQueues = "api/admin/queues";
    public const string AdminQueueRedrive = "api/admin/queues/{queue}/redrive";

    public const string AdminPage = "manage-feeds";
    public const string AdminPageAdd = "manage-feeds/add";
    public const string AdminPageImport = "manage-feeds/import";
    public const string AdminPageRetryErrored = "manage-feeds/retry-errored";
    public const string AdminPageFeedAction = "manage-feeds/{id}/{verb}";
    public const string AdminPageStats = "manage-feeds/stats";
    public const string AdminPageTest = "manage-feeds/test";
    // GET only: the edit form posts to AdminPageFeedAction with verb "edit".
    public const string AdminPageEdit = "manage-feeds/{id}/edit";
}
