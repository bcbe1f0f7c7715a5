using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Digests;

/// <summary>
/// Timer work: queues one <see cref="DigestSendMessage"/> per active hourly/daily/weekly subscription whose current
/// period is due. The Digests row written first (insert-only) is what keeps later ticks, or a second instance,
/// from queueing the same period again.
/// </summary>
public sealed class DigestScheduler(
    SubscriptionStore subscriptions,
    DigestStore digests,
    AlertsStorage storage,
    TimeProvider time,
    ILogger<DigestScheduler> logger)
{
    /// <summary>Returns how many digests were queued on this tick.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var queue = storage.Queue(QueueNames.DigestSend);
        int queued = 0, checkedCount = 0;

        await foreach (var subscription in subscriptions.ListAsync(SubscriptionStatus.Active, cancellationToken))
        {
            if (DigestSchedule.Current(subscription, now) is not { IsDue: true } period)
                continue;
            checkedCount++;
            if (!await digests.TryScheduleAsync(subscription.Id, period.Key, now, cancellationToken))
                continue;

            try
            {
                await queue.SendAsync(new DigestSendMessage(subscription.Id, period.Key), cancellationToken);
            }
            catch
            {
                // Without the message the row would block this period forever; remove it so the next tick retries.
                await digests.UnscheduleAsync(subscription.Id, period.Key, CancellationToken.None);
                throw;
            }
            queued++;
            logger.LogInformation(
                "Queued digest {DigestKey} for subscription {SubscriptionId} (due {DueAt:o})",
                period.Key, subscription.Id, period.DueAt);
        }

        logger.LogInformation("Digest tick at {Now:o}: {Due} due, {Queued} queued", now, checkedCount, queued);
        return queued;
    }
}
