using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Digests;

/// <summary>
/// Timer work: queues one <see cref="DigestSendMessage"/> per address and due period. The active hourly/daily/weekly
/// subscriptions of one address that share a schedule (frequency, period key and due time) are due together and
/// get one email, grouped by subscription: the first of them (oldest, then by id) leads, and its message and Digests
/// row carry the email. Each member's Digests row is written first (insert-only), which is what keeps later ticks,
/// or a second instance, from queueing the same period again, alone or in another group.
/// </summary>
public sealed class DigestScheduler(
    SubscriptionStore subscriptions,
    DigestStore digests,
    AlertsStorage storage,
    TimeProvider time,
    ILogger<DigestScheduler> logger)
{
    /// <summary>Returns how many digest emails were queued on this tick.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var queue = storage.Queue(QueueNames.DigestSend);
        int queued = 0, checkedCount = 0;

        // The tick already reads every active subscription, so grouping by address costs no extra reads.
        var due = new List<(Subscription Subscription, DigestPeriod Period)>();
        await foreach (var subscription in subscriptions.ListAsync(SubscriptionStatus.Active, cancellationToken))
        {
            if (DigestSchedule.Current(subscription, now) is not { IsDue: true } period)
                continue;
            checkedCount++;
            due.Add((subscription, period));
        }

        var groups = due
            .GroupBy(d => (Email: EmailAddress.Normalize(d.Subscription.Email), d.Subscription.Frequency, d.Period.Key, d.Period.DueAt))
            .Select(g => g.OrderBy(d => d.Subscription.CreatedAt).ThenBy(d => d.Subscription.Id, StringComparer.Ordinal).ToList());
        foreach (var group in groups)
        {
            var key = group[0].Period.Key;
            // Claim every member's row; one already there was queued before (alone or in an earlier group) and stays out.
            var claimed = new List<string>();
            foreach (var (subscription, _) in group)
                if (await digests.TryScheduleAsync(subscription.Id, key, now, cancellationToken, groupedInto: claimed.Count > 0 ? claimed[0] : null))
                    claimed.Add(subscription.Id);
            if (claimed.Count == 0)
                continue;

            var lead = claimed[0];
            try
            {
                if (claimed.Count > 1)
                    await digests.SetMembersAsync(lead, key, claimed, cancellationToken);
                await queue.SendAsync(new DigestSendMessage(lead, key), cancellationToken);
            }
            catch
            {
                // Without the message the rows would block this period forever; remove them so the next tick retries.
                foreach (var id in claimed)
                    await digests.UnscheduleAsync(id, key, CancellationToken.None);
                throw;
            }
            queued++;
            logger.LogInformation(
                "Queued digest {DigestKey} for subscription {SubscriptionId} with {GroupedCount} more of the same address (due {DueAt:o})",
                key, lead, claimed.Count - 1, group[0].Period.DueAt);
        }

        logger.LogInformation("Digest tick at {Now:o}: {Due} due, {Queued} queued", now, checkedCount, queued);
        return queued;
    }
}
