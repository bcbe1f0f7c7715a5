using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Azure.Storage.Queues.Models;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.Functions;

/// <summary>
/// Timer and queue triggers: bind, call one handler, return. Messages are JSON (see QueueMessages); binding the
/// QueueMessage gives its insertion time for the queue-age metric and the producer's trace parent.
/// </summary>
public sealed class PipelineFunctions(
    FeedPollHandler poll,
    FeedFetchHandler fetch,
    ArticleMatchHandler match,
    DigestScheduler digests,
    DigestSendHandler send,
    MailtoUnsubscribeHandler mailtoUnsubscribe,
    SubscriptionSnapshotWriter snapshotWriter,
    DeliverySweep sweep)
{
    [Function("PollFeeds")]
    public async Task PollFeeds([TimerTrigger("%" + ScheduleSettings.Poll + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        using var activity = QueueMessages.StartTimer("PollFeeds");
        await poll.HandleAsync(cancellationToken);
    }

    [Function("FetchFeed")]
    public async Task FetchFeed([QueueTrigger(QueueNames.FeedFetch)] QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        using var activity = QueueMessages.StartProcessing("FetchFeed", QueueNames.FeedFetch, body, message.InsertedOn);
        await fetch.HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(body), cancellationToken);
    }

    [Function("MatchArticle")]
    public async Task MatchArticle([QueueTrigger(QueueNames.ArticleMatch)] QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        using var activity = QueueMessages.StartProcessing("MatchArticle", QueueNames.ArticleMatch, body, message.InsertedOn);
        await match.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(body), cancellationToken);
    }

    [Function("ScheduleDigests")]
    public async Task ScheduleDigests([TimerTrigger("%" + ScheduleSettings.Digest + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        using var activity = QueueMessages.StartTimer("ScheduleDigests");
        await digests.HandleAsync(cancellationToken);
    }

    [Function("SendDigest")]
    public async Task SendDigest([QueueTrigger(QueueNames.DigestSend)] QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        using var activity = QueueMessages.StartProcessing("SendDigest", QueueNames.DigestSend, body, message.InsertedOn);
        await send.HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(body), cancellationToken);
    }

    [Function("SweepDeliveries")]
    public async Task SweepDeliveries([TimerTrigger("%" + ScheduleSettings.DeliverySweep + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        using var activity = QueueMessages.StartTimer("SweepDeliveries");
        await sweep.HandleAsync(cancellationToken);
    }

    [Function("ReadUnsubscribeMailbox")]
    public async Task ReadUnsubscribeMailbox([TimerTrigger("%" + ScheduleSettings.UnsubscribeMailbox + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        using var activity = QueueMessages.StartTimer("ReadUnsubscribeMailbox");
        await mailtoUnsubscribe.HandleAsync(cancellationToken);
    }

    /// <summary>The one snapshot writer (the host runs a timer on one instance at a time; the writer also takes a lease).</summary>
    [Function("WriteIndexSnapshot")]
    public async Task WriteIndexSnapshot([TimerTrigger("%" + ScheduleSettings.IndexSnapshot + "%")] TimerInfo timer, CancellationToken cancellationToken)
    {
        using var activity = QueueMessages.StartTimer("WriteIndexSnapshot");
        await snapshotWriter.WriteAsync(cancellationToken: cancellationToken);
    }
}
