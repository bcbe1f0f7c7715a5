namespace Alerts.Core.Web;

/// <summary>
/// Every HTTP route, relative to the site root (host.json sets routePrefix to ""), shared by the Function
/// attributes and the local host. Features add their routes in their own partial files.
/// </summary>
public static partial class Routes
{
    public const string SubscribePage = "subscribe";
    public const string Subscriptions = "api/subscriptions";
    public const string Confirm = "confirm";
    public const string Unsubscribe = "unsubscribe";
    public const string AdminFeeds = "api/admin/feeds";
    public const string AdminFeed = "api/admin/feeds/{id}";
}
