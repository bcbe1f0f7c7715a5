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
/// <para>
/// A tick reads only what is due: the <see cref="DigestDueIndex"/> rows at or before now (one range query), then one
/// point read per due subscription. Its cost grows with the digests due, not with the number of subscribers.
/// </para>
/// </summary>
public sealed class DigestScheduler(
    SubscriptionStore subscriptions,
    DigestStore digests,
    AlertsStorage storage,
    TimeProvider time,
    ILogger<DigestScheduler> logger)
{
    private readonly DigestDueIndex _index = new(storage);

    /// <summary>Returns how many digest emails were queued on this tick.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var queue = storage.Queue(QueueNames.DigestSend);
        int queued = 0, checkedCount = 0;

        var rows = await _index.DueAsync(now, cancellationToken);
        var due = new List<(Subscription Subscription, DigestPeriod Period)>();
        // A subscription can have two rows (one unplaced after an edit, one at its old minute): read it once.
        var rowsById = rows.GroupBy(r => r.SubscriptionId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.Select(r => r.Partition).ToList(), StringComparer.Ordinal);
        foreach (var (id, partitions) in rowsById)
        {
            var subscription = await subscriptions.GetAsync(id, cancellationToken);
            if (subscription is null || !DigestDueIndex.IsDigest(subscription)
                || DigestSchedule.Current(subscription, now) is not { } period)
            {
                // Deleted, paused, unsubscribed or now instant: the index forgets it (a resume files it again).
                foreach (var partition in partitions)
                    await _index.RemoveAsync(id, partition, cancellationToken);
                continue;
            }
            if (!period.IsDue)
            {
                // New, edited, or filed early: place it at the minute it falls due.
                await MoveAsync(id, partitions, DigestDueIndex.Minute(period.DueAt), cancellationToken);
                continue;
            }
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
            {
                // Queued by an earlier tick that stopped before moving the rows on (or grouped elsewhere): move them now.
                await AdvanceAsync(group, rowsById, cancellationToken);
                continue;
            }

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
            // Only after the message is queued: a crash before this leaves the rows due, and the next tick finds the
            // period claimed and just moves them on.
            await AdvanceAsync(group, rowsById, cancellationToken);
            queued++;
            logger.LogInformation(
                "Queued digest {DigestKey} for subscription {SubscriptionId} with {GroupedCount} more of the same address (due {DueAt:o})",
                key, lead, claimed.Count - 1, group[0].Period.DueAt);
        }

        logger.LogInformation("Digest tick at {Now:o}: {Rows} index rows, {Due} due, {Queued} queued", now, rows.Count, checkedCount, queued);
        return queued;
    }

    /// <summary>Moves each member's row to its next period's minute (written before the old rows are removed).</summary>
    private async Task AdvanceAsync(List<(Subscription Subscription, DigestPeriod Period)> group,
        Dictionary<string, List<string>> rowsById, CancellationToken cancellationToken)
    {
        foreach (var (subscription, period) in group)
            await MoveAsync(subscription.Id, rowsById[subscription.Id],
                DigestDueIndex.Minute(DigestDueIndex.NextDueAt(subscription, period.DueAt)), cancellationToken);
    }

    private async Task MoveAsync(string id, List<string> from, string to, CancellationToken cancellationToken)
    {
        if (!from.Contains(to))
            await _index.PlaceAsync(id, to, cancellationToken);
        foreach (var partition in from.Where(p => p != to))
            await _index.RemoveAsync(id, partition, cancellationToken);
    }
}
