using Alerts.Core.Admin;
using Alerts.Core.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.LocalHost;

public static partial class LocalFunctions
{
    /// <summary>Admin API and pages (AdminFunctions in Alerts.Functions).</summary>
    public static readonly IReadOnlyList<LocalFunction> Admin =
    [
        new("ListFeeds", TriggerKind.Http, Route: Routes.AdminFeeds, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().ListAsync(r),
        },
        new("AddFeed", TriggerKind.Http, Route: Routes.AdminFeeds, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().AddAsync(r),
        },
        new("DeleteFeed", TriggerKind.Http, Route: Routes.AdminFeed, Methods: ["delete"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().DeleteAsync(r, (string)r.RouteValues["id"]!),
        },
    ];
}
