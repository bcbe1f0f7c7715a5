using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Microsoft.Azure.Functions.Worker;

namespace Alerts.Functions;

/// <summary>Timer and queue triggers: bind, call one handler, return. Messages are JSON strings (see QueueMessages).</summary>
public sealed class PipelineFunctions(
    FeedPollHandler poll,
    FeedFetchHandler fetch,
    ArticleMatchHandler match,
    DigestScheduler digests,
    DigestSendHandler send)
{
    [Function("PollFeeds")]
    public Task PollFeeds([TimerTrigger("%" + ScheduleSettings.Poll + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        poll.HandleAsync(cancellationToken);

    [Function("FetchFeed")]
    public Task FetchFeed([QueueTrigger(QueueNames.FeedFetch)] string message, CancellationToken cancellationToken) =>
        fetch.HandleAsync(QueueMessages.Deserialize<FeedFetchMessage>(message), cancellationToken);

    [Function("MatchArticle")]
    public Task MatchArticle([QueueTrigger(QueueNames.ArticleMatch)] string message, CancellationToken cancellationToken) =>
        match.HandleAsync(QueueMessages.Deserialize<ArticleMatchMessage>(message), cancellationToken);

    [Function("ScheduleDigests")]
    public Task ScheduleDigests([TimerTrigger("%" + ScheduleSettings.Digest + "%")] TimerInfo timer, CancellationToken cancellationToken) =>
        digests.HandleAsync(cancellationToken);

    [Function("SendDigest")]
    public Task SendDigest([QueueTrigger(QueueNames.DigestSend)] string message, CancellationToken cancellationToken) =>
        send.HandleAsync(QueueMessages.Deserialize<DigestSendMessage>(message), cancellationToken);
}
