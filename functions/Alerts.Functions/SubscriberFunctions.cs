using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure.Storage.Queues.Models;
using Alerts.Core.Web;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.Functions;

/// <summary>The subscriber API and pages; anonymous, because the signed links in emails are the credential.</summary>
public sealed class SubscriberFunctions(SubscriptionEndpoints endpoints, ManageEndpoints manage, OpenApiEndpoint openApi, SubscribeHandler subscribe,
    ManageLinkSender manageLinks)
{
    /// <summary>The second half of a subscribe request, after the answer was sent (constant-time answers).</summary>
    [Function("ProcessSubscribeRequest"), CompletesHttpRequests]
    public async Task ProcessSubscribeRequest([QueueTrigger(QueueNames.SubscribeRequest)] QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        using var activity = QueueMessages.StartProcessing("ProcessSubscribeRequest", QueueNames.SubscribeRequest, body, message.InsertedOn);
        await subscribe.SubscribeAsync(QueueMessages.Deserialize<SubscribeRequest>(body), cancellationToken);
    }

    /// <summary>The second half of "email me a link to my alerts", after the answer was sent (constant-time answers).</summary>
    [Function("ProcessManageLinkRequest"), CompletesHttpRequests]
    public async Task ProcessManageLinkRequest([QueueTrigger(QueueNames.ManageLinkRequest)] QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        using var activity = QueueMessages.StartProcessing("ProcessManageLinkRequest", QueueNames.ManageLinkRequest, body, message.InsertedOn);
        await manageLinks.SendAsync(QueueMessages.Deserialize<ManageLinkRequest>(body), cancellationToken);
    }

    [Function("ManageLinkRequest")]
    public Task<IActionResult> ManageLinkRequest(
        [HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = Routes.ManageLinkRequest)] HttpRequest request) =>
        ResultAction.From(endpoints.ManageLinkAsync(request));

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

    [Function("PreviewSubscription")]
    public Task<IActionResult> PreviewSubscription(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.SubscriptionPreview)] HttpRequest request) =>
        ResultAction.From(endpoints.PreviewAsync(request));

    [Function("ManagePage")]
    public Task<IActionResult> ManagePage(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.Manage)] HttpRequest request) =>
        ResultAction.From(manage.ManageAsync(request));

    [Function("ManageExport")]
    public Task<IActionResult> ManageExport(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.ManageExport)] HttpRequest request) =>
        ResultAction.From(manage.ExportAsync(request));

    [Function("ManageDelete")]
    public Task<IActionResult> ManageDelete(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", Route = Routes.ManageDelete)] HttpRequest request) =>
        ResultAction.From(manage.DeleteAsync(request));

    [Function("StaticScript")]
    public Task<IActionResult> StaticScript(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.StaticScript)] HttpRequest request) =>
        ResultAction.From(Task.FromResult(StaticScripts.Serve(request)));

    [Function("OpenApi")]
    public Task<IActionResult> OpenApi(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = Routes.OpenApi)] HttpRequest request) =>
        ResultAction.From(openApi.GetAsync(request));
}
