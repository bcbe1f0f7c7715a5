using Alerts.Core.Email;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Digests;

/// <summary>
/// Timer work: finds email that should have gone and did not, and queues it again, so that nothing depends on an admin
/// re-driving a queue: digests left unfinished (a lost message, a worker that died holding its claim, a send recorded
/// but not marked) and instant matches whose alert message never ran. Queuing twice is harmless: the row's claim makes
/// the email happen once. Both reads are filtered scans of what is unfinished (small while the pipeline keeps up).
/// </summary>
public sealed class DeliverySweep(
    DigestStore digests,
    MatchStore matches,
    SubscriptionStore subscriptions,
    AlertsStorage storage,
    IOptions<DeliveryOptions> options,
    TimeProvider time,
    ILogger<DeliverySweep> logger)
{
    /// <summary>Returns how many messages were queued.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.Value.SweepAfter;
        var queue = storage.Queue(QueueNames.DigestSend);
        var queued = 0;

        await foreach (var row in digests.ListUnfinishedAsync(cutoff, cancellationToken))
        {
            // A member's period is carried by its lead's row; a deferred send already has its retry queued.
            if (row.GroupedInto is not null || row.NextAttemptAt is { } next && next > cutoff)
                continue;
            await queue.SendAsync(new DigestSendMessage(row.SubscriptionId, row.DigestKey, row.Attempts), cancellationToken);
            queued++;
        }

        var instant = new Dictionary<string, bool>(StringComparer.Ordinal);
        foreach (var match in await matches.ListPendingBeforeAsync(cutoff, cancellationToken))
        {
            if (!instant.TryGetValue(match.SubscriptionId, out var isInstant))
                instant[match.SubscriptionId] = isInstant =
                    await subscriptions.GetAsync(match.SubscriptionId, cancellationToken) is { Status: SubscriptionStatus.Active, Frequency: Frequency.Instant };
            if (!isInstant)
                continue; // periodic matches wait for their digest, which carries every pending one
            var key = DigestSendHandler.InstantPrefix + match.ArticleId;
            if (await digests.GetAsync(match.SubscriptionId, key, cancellationToken) is { } row && (row.IsFinished || row.NextAttemptAt > cutoff))
                continue;
            await queue.SendAsync(new DigestSendMessage(match.SubscriptionId, key), cancellationToken);
            queued++;
        }

        if (queued > 0)
            logger.LogWarning("Delivery sweep queued {Count} emails that should have been sent by {Cutoff:o}", queued, cutoff);
        return queued;
    }
}
