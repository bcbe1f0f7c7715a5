using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
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

    /// <summary>A queue that finishes HTTP requests after they were answered: it runs even when the triggers do not.</summary>
    public bool CompletesHttpRequests { get; init; }
}

/// <summary>Every function the local host wires; each feature keeps its list in its own file.</summary>
public static partial class LocalFunctions
{
    public static IReadOnlyList<LocalFunction> All => [.. Pipeline, .. Subscriber, .. Admin, .. Health];

    /// <summary>GET /healthz (HealthFunctions in Alerts.Functions).</summary>
    public static readonly IReadOnlyList<LocalFunction> Health =
    [
        new("Health", TriggerKind.Http, Route: Alerts.Core.Health.HealthEndpoint.Route, Methods: ["get"])
        {
            HttpHandler = (s, r) => s.GetRequiredService<Alerts.Core.Health.HealthEndpoint>().GetAsync(r),
        },
    ];

    /// <summary>Timers and queues.</summary>
    public static readonly IReadOnlyList<LocalFunction> Pipeline =
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
        new("SweepDeliveries", TriggerKind.Timer, ScheduleSetting: ScheduleSettings.DeliverySweep)
        {
            TimerHandler = (s, ct) => s.GetRequiredService<DeliverySweep>().HandleAsync(ct),
        },
        new("ReadUnsubscribeMailbox", TriggerKind.Timer, ScheduleSetting: ScheduleSettings.UnsubscribeMailbox)
        {
            TimerHandler = (s, ct) => s.GetRequiredService<MailtoUnsubscribeHandler>().HandleAsync(ct),
        },
        new("WriteIndexSnapshot", TriggerKind.Timer, ScheduleSetting: ScheduleSettings.IndexSnapshot)
        {
            TimerHandler = (s, ct) => s.GetRequiredService<SubscriptionSnapshotWriter>().WriteAsync(cancellationToken: ct),
        },
    ];
}
