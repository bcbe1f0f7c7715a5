using Alerts.Core.Admin;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.Functions;

/// <summary>Admin API. AuthorizationLevel.Admin: the Functions host refuses any call without the master key.</summary>
public sealed class AdminFunctions(FeedAdminEndpoints feeds)
{
    [Function("ListFeeds")]
    public Task<IActionResult> ListFeeds(
        [HttpTrigger(AuthorizationLevel.Admin, "get", Route = Routes.AdminFeeds)] HttpRequest request) =>
        ResultAction.From(feeds.ListAsync(request));

    [Function("AddFeed")]
    public Task<IActionResult> AddFeed(
        [HttpTrigger(AuthorizationLevel.Admin, "post", Route = Routes.AdminFeeds)] HttpRequest request) =>
        ResultAction.From(feeds.AddAsync(request));

    [Function("DeleteFeed")]
    public Task<IActionResult> DeleteFeed(
        [HttpTrigger(AuthorizationLevel.Admin, "delete", Route = Routes.AdminFeed)] HttpRequest request, string id) =>
        ResultAction.From(feeds.DeleteAsync(request, id));
}
