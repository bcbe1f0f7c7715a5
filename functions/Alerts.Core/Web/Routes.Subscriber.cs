namespace Alerts.Core.Web;

public static partial class Routes
{
    /// <summary>The manage page: every subscription of the address named by a signed manage link.</summary>
    public const string Manage = "manage";
    /// <summary>Everything stored about the address, as a JSON download.</summary>
    public const string ManageExport = "manage/export";
    /// <summary>The emailed confirmation for erasing all of an address's subscriptions.</summary>
    public const string ManageDelete = "manage/delete";
    /// <summary>"Email me a link to my alerts", posted from the subscribe page.</summary>
    public const string ManageLinkRequest = "subscribe/manage-link";
    /// <summary>What a query would have matched over the last 7 days.</summary>
    public const string SubscriptionPreview = "api/subscriptions/preview";
    public const string OpenApi = "api/openapi.json";
    /// <summary>Page scripts, served as files so that the Content-Security-Policy allows no inline script.</summary>
    public const string StaticScript = "static/{name}";
}
