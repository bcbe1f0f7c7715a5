using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.Functions;

/// <summary>The subscriber API and pages; anonymous, because the signed links in emails are the credential.</summary>
public sealed class SubscriberFunctions(SubscriptionEndpoints endpoints)
{
    [Function("SubscribePage")]
    public Task<IActionResult> SubscribePage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.SubscribePage)] HttpRequest request) =>
        ResultAction.From(endpoints.SubscribePageAsync(request));

    [Function("CreateSubscription")]
    public Task<IActionResult> CreateSubscription(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.Subscriptions)] HttpRequest request) =>
        ResultAction.From(endpoints.PostAsync(request));

    [Function("Confirm")]
    public Task<IActionResult> Confirm(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.Confirm)] HttpRequest request) =>
        ResultAction.From(endpoints.ConfirmAsync(request));

    [Function("Unsubscribe")]
    public Task<IActionResult> Unsubscribe(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.Unsubscribe)] HttpRequest request) =>
        ResultAction.From(endpoints.UnsubscribeAsync(request));
}
