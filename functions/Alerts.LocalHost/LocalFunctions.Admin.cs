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
        new("GetFeed", TriggerKind.Http, Route: Routes.AdminFeed, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().GetAsync(r, Id(r)),
        },
        new("EditFeed", TriggerKind.Http, Route: Routes.AdminFeed, Methods: ["patch"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().EditAsync(r, Id(r)),
        },
        new("DeleteFeed", TriggerKind.Http, Route: Routes.AdminFeed, Methods: ["delete"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().DeleteAsync(r, Id(r)),
        },
        new("PauseFeed", TriggerKind.Http, Route: Routes.AdminFeedPause, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().PauseAsync(r, Id(r)),
        },
        new("ResumeFeed", TriggerKind.Http, Route: Routes.AdminFeedResume, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().ResumeAsync(r, Id(r)),
        },
        new("RetryFeed", TriggerKind.Http, Route: Routes.AdminFeedRetry, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().RetryAsync(r, Id(r)),
        },
        new("RetryErroredFeeds", TriggerKind.Http, Route: Routes.AdminFeedsRetryErrored, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().RetryErroredAsync(r),
        },
        new("TestFeed", TriggerKind.Http, Route: Routes.AdminFeedTest, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().TestAsync(r),
        },
        new("ImportOpml", TriggerKind.Http, Route: Routes.AdminOpml, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().ImportAsync(r),
        },
        new("ExportOpml", TriggerKind.Http, Route: Routes.AdminOpml, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().ExportAsync(r),
        },
        new("FeedStats", TriggerKind.Http, Route: Routes.AdminStats, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<FeedAdminEndpoints>().StatsAsync(r),
        },
        new("ListQueues", TriggerKind.Http, Route: Routes.AdminQueues, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<QueueAdminEndpoints>().ListAsync(r),
        },
        new("RedriveQueue", TriggerKind.Http, Route: Routes.AdminQueueRedrive, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<QueueAdminEndpoints>().RedriveAsync(r, (string)r.RouteValues["queue"]!),
        },
        new("AdminFeedsPage", TriggerKind.Http, Route: Routes.AdminPage, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().FeedsAsync(r),
        },
        new("AdminAddFeedForm", TriggerKind.Http, Route: Routes.AdminPageAdd, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().AddAsync(r),
        },
        new("AdminImportForm", TriggerKind.Http, Route: Routes.AdminPageImport, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().ImportAsync(r),
        },
        new("AdminRetryErroredForm", TriggerKind.Http, Route: Routes.AdminPageRetryErrored, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().RetryErroredAsync(r),
        },
        new("AdminFeedActionForm", TriggerKind.Http, Route: Routes.AdminPageFeedAction, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().FeedActionAsync(r, Id(r), (string)r.RouteValues["verb"]!),
        },
        new("AdminStatsPage", TriggerKind.Http, Route: Routes.AdminPageStats, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().StatsAsync(r),
        },
        new("AdminEditFeedPage", TriggerKind.Http, Route: Routes.AdminPageEdit, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().EditAsync(r, Id(r)),
        },
        new("AdminTestFeedPage", TriggerKind.Http, Route: Routes.AdminPageTest, Methods: ["get"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().TestAsync(r),
        },
        new("AdminTestFeedForm", TriggerKind.Http, Route: Routes.AdminPageTest, Methods: ["post"], AdminOnly: true)
        {
            HttpHandler = (s, r) => s.GetRequiredService<AdminPages>().TestAsync(r),
        },
    ];

    private static string Id(Microsoft.AspNetCore.Http.HttpRequest request) => (string)request.RouteValues["id"]!;
}
