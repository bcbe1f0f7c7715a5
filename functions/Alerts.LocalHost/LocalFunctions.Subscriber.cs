using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.LocalHost;

public static partial class LocalFunctions
{
    /// <summary>Subscriber API and pages (SubscriberFunctions in Alerts.Functions).</summary>
    public static readonly IReadOnlyList<LocalFunction> Subscriber =
    [
        new("SubscribePage", TriggerKind.Http, Route: Routes.SubscribePage, Methods: ["get", "post"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<SubscriptionEndpoints>().SubscribePageAsync(r),
        },
        new("ProcessSubscribeRequest", TriggerKind.Queue, Queue: QueueNames.SubscribeRequest)
        {
            QueueHandler = (s, m, ct) => s.GetRequiredService<SubscribeHandler>().SubscribeAsync(QueueMessages.Deserialize<SubscribeRequest>(m), ct),
            CompletesHttpRequests = true,
        },
        new("CreateSubscription", TriggerKind.Http, Route: Routes.Subscriptions, Methods: ["post"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<SubscriptionEndpoints>().PostAsync(r),
        },
        new("Confirm", TriggerKind.Http, Route: Routes.Confirm, Methods: ["get", "post"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<SubscriptionEndpoints>().ConfirmAsync(r),
        },
        new("Unsubscribe", TriggerKind.Http, Route: Routes.Unsubscribe, Methods: ["get", "post"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<SubscriptionEndpoints>().UnsubscribeAsync(r),
        },
        new("PreviewSubscription", TriggerKind.Http, Route: Routes.SubscriptionPreview, Methods: ["get"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<SubscriptionEndpoints>().PreviewAsync(r),
        },
        new("ManagePage", TriggerKind.Http, Route: Routes.Manage, Methods: ["get", "post"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<ManageEndpoints>().ManageAsync(r),
        },
        new("ManageExport", TriggerKind.Http, Route: Routes.ManageExport, Methods: ["get"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<ManageEndpoints>().ExportAsync(r),
        },
        new("ManageDelete", TriggerKind.Http, Route: Routes.ManageDelete, Methods: ["get", "post"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<ManageEndpoints>().DeleteAsync(r),
        },
        new("StaticScript", TriggerKind.Http, Route: Routes.StaticScript, Methods: ["get"])
        {
            HttpHandler = (_, r) => Task.FromResult(StaticScripts.Serve(r)),
        },
        new("OpenApi", TriggerKind.Http, Route: Routes.OpenApi, Methods: ["get"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<OpenApiEndpoint>().GetAsync(r),
        },
    ];
}
