using Alerts.Core.Admin;
using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.LocalHost;

public enum TriggerKind { Timer, Queue, Http }

/// <summary>
/// One function as the local host wires it: the same name, trigger, queue, schedule setting and route as the
/// attribute in Alerts.Functions (a test compares this list with the built functions.metadata).
/// </summary>
public sealed record LocalFunction(
    string Name,
    TriggerKind Trigger,
    string? Queue = null,
    string? ScheduleSetting = null,
    string? Route = null,
    string[]? Methods = null,
    bool AdminOnly = false)
{
    public Func<IServiceProvider, string, CancellationToken, Task>? QueueHandler { get; init; }
    public Func<IServiceProvider, CancellationToken, Task>? TimerHandler { get; init; }
    public Func<IServiceProvider, HttpRequest, Task<IResult>>? HttpHandler { get; init; }
}

public static class LocalFunctions
{
    public static readonly IReadOnlyList<LocalFunction> All =
    [
        new("PollFeeds", TriggerKind.Timer, ScheduleSetting: ScheduleSettings.Poll)
        {
            TimerHandler = (s, ct) => s.GetRequiredService<FeedPollHandler>().HandleAsync(ct),
        },
        new("FetchFeed", TriggerKind.Queue, Queue: QueueNames.FeedFetch)
        {
            QueueHandler = (s, m, ct) => s.GetRequiredService<FeedFetchHandler>().HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(m), ct),
        },
        new("MatchArticle", TriggerKind.Queue, Queue: QueueNames.ArticleMatch)
        {
            QueueHandler = (s, m, ct) => s.GetRequiredService<ArticleMatchHandler>().HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(m), ct),
        },
        new("ScheduleDigests", TriggerKind.Timer, ScheduleSetting: ScheduleSettings.Digest)
        {
            TimerHandler = (s, ct) => s.GetRequiredService<DigestScheduler>().HandleAsync(ct),
        },
        new("SendDigest", TriggerKind.Queue, Queue: QueueNames.DigestSend)
        {
            QueueHandler = (s, m, ct) => s.GetRequiredService<DigestSendHandler>().HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(m), ct),
        },
        new("SubscribePage", TriggerKind.Http, Route: Routes.SubscribePage, Methods: ["get", "post"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<SubscriptionEndpoints>().SubscribePageAsync(r),
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
