using Alerts.Core.Admin;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.Functions;

/// <summary>
/// Admin API and pages. AuthorizationLevel.Function: the Functions host refuses any call without one of its keys (a host
/// key such as "default" or a named one per admin, or the master key; `az functionapp keys list`). Every function
/// here at a key level passes AdminKeyMiddleware first (the local host: its endpoint filter), which has no key of
/// its own to compare in Azure (Admin__ApiKey is empty there), so both hosts run the same check.
/// </summary>
public sealed class AdminFunctions(FeedAdminEndpoints feeds, QueueAdminEndpoints queues, AdminPages pages)
{
    [Function("ListFeeds")]
    public Task<IActionResult> ListFeeds(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminFeeds)] HttpRequest request) =>
        ResultAction.From(feeds.ListAsync(request));

    [Function("AddFeed")]
    public Task<IActionResult> AddFeed(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminFeeds)] HttpRequest request) =>
        ResultAction.From(feeds.AddAsync(request));

    [Function("GetFeed")]
    public Task<IActionResult> GetFeed(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminFeed)] HttpRequest request, string id) =>
        ResultAction.From(feeds.GetAsync(request, id));

    [Function("EditFeed")]
    public Task<IActionResult> EditFeed(
        [HttpTrigger(AuthorizationLevel.Function, "patch", Route = Routes.AdminFeed)] HttpRequest request, string id) =>
        ResultAction.From(feeds.EditAsync(request, id));

    [Function("DeleteFeed")]
    public Task<IActionResult> DeleteFeed(
        [HttpTrigger(AuthorizationLevel.Function, "delete", Route = Routes.AdminFeed)] HttpRequest request, string id) =>
        ResultAction.From(feeds.DeleteAsync(request, id));

    [Function("PauseFeed")]
    public Task<IActionResult> PauseFeed(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminFeedPause)] HttpRequest request, string id) =>
        ResultAction.From(feeds.PauseAsync(request, id));

    [Function("ResumeFeed")]
    public Task<IActionResult> ResumeFeed(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminFeedResume)] HttpRequest request, string id) =>
        ResultAction.From(feeds.ResumeAsync(request, id));

    [Function("RetryFeed")]
    public Task<IActionResult> RetryFeed(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminFeedRetry)] HttpRequest request, string id) =>
        ResultAction.From(feeds.RetryAsync(request, id));

    [Function("RetryErroredFeeds")]
    public Task<IActionResult> RetryErroredFeeds(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminFeedsRetryErrored)] HttpRequest request) =>
        ResultAction.From(feeds.RetryErroredAsync(request));

    [Function("TestFeed")]
    public Task<IActionResult> TestFeed(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminFeedTest)] HttpRequest request) =>
        ResultAction.From(feeds.TestAsync(request));

    [Function("ImportOpml")]
    public Task<IActionResult> ImportOpml(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminOpml)] HttpRequest request) =>
        ResultAction.From(feeds.ImportAsync(request));

    [Function("ExportOpml")]
    public Task<IActionResult> ExportOpml(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminOpml)] HttpRequest request) =>
        ResultAction.From(feeds.ExportAsync(request));

    [Function("FeedStats")]
    public Task<IActionResult> FeedStats(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminStats)] HttpRequest request) =>
        ResultAction.From(feeds.StatsAsync(request));

    [Function("ListQueues")]
    public Task<IActionResult> ListQueues(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminQueues)] HttpRequest request) =>
        ResultAction.From(queues.ListAsync(request));

    [Function("RedriveQueue")]
    public Task<IActionResult> RedriveQueue(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminQueueRedrive)] HttpRequest request, string queue) =>
        ResultAction.From(queues.RedriveAsync(request, queue));

    [Function("AdminFeedsPage")]
    public Task<IActionResult> AdminFeedsPage(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminPage)] HttpRequest request) =>
        ResultAction.From(pages.FeedsAsync(request));

    [Function("AdminAddFeedForm")]
    public Task<IActionResult> AdminAddFeedForm(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminPageAdd)] HttpRequest request) =>
        ResultAction.From(pages.AddAsync(request));

    [Function("AdminImportForm")]
    public Task<IActionResult> AdminImportForm(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminPageImport)] HttpRequest request) =>
        ResultAction.From(pages.ImportAsync(request));

    [Function("AdminRetryErroredForm")]
    public Task<IActionResult> AdminRetryErroredForm(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminPageRetryErrored)] HttpRequest request) =>
        ResultAction.From(pages.RetryErroredAsync(request));

    [Function("AdminFeedActionForm")]
    public Task<IActionResult> AdminFeedActionForm(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminPageFeedAction)] HttpRequest request, string id, string verb) =>
        ResultAction.From(pages.FeedActionAsync(request, id, verb));

    [Function("AdminStatsPage")]
    public Task<IActionResult> AdminStatsPage(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminPageStats)] HttpRequest request) =>
        ResultAction.From(pages.StatsAsync(request));

    [Function("AdminEditFeedPage")]
    public Task<IActionResult> AdminEditFeedPage(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminPageEdit)] HttpRequest request, string id) =>
        ResultAction.From(pages.EditAsync(request, id));

    [Function("AdminTestFeedPage")]
    public Task<IActionResult> AdminTestFeedPage(
        [HttpTrigger(AuthorizationLevel.Function, "get", Route = Routes.AdminPageTest)] HttpRequest request) =>
        ResultAction.From(pages.TestAsync(request));

    [Function("AdminTestFeedForm")]
    public Task<IActionResult> AdminTestFeedForm(
        [HttpTrigger(AuthorizationLevel.Function, "post", Route = Routes.AdminPageTest)] HttpRequest request) =>
        ResultAction.From(pages.TestAsync(request));
}
