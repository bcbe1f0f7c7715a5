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
/// <para>
/// What it queued it leaves alone for <see cref="DeliveryOptions.SweepAfter"/>, and for twice as long each time it has
/// to queue the same email again (up to 16 times): a backlog older than that (after an outage) is not queued again on
/// every tick, which would add the whole backlog to the queue each time and keep it from ever draining. The memory is
/// this process's (the timer runs on one instance); losing it costs one more message each.
/// </para>
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
    private const int MaxBackoff = 16;

    private readonly InstantPollGroups _polls = new(digests, subscriptions, time);

    private readonly System.Collections.Concurrent.ConcurrentDictionary<(string SubscriptionId, string DigestKey), (DateTimeOffset NextAt, int Wait)> _queued = new();

    /// <summary>Returns how many messages were queued.</summary>
    public async Task<int> HandleAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        var cutoff = now - options.Value.SweepAfter;
        var queue = storage.Queue(QueueNames.DigestSend);
        var queued = 0;
        var sweepAfter = options.Value.SweepAfter;
        foreach (var (entry, queuedAt) in _queued)
            if (queuedAt.NextAt + sweepAfter * MaxBackoff <= now)
                _queued.TryRemove(entry, out _); // long done, or long forgotten: start again from SweepAfter
        // Queued by this sweep and not yet given its time: leave it.
        bool RecentlyQueued(string subscriptionId, string key) => _queued.TryGetValue((subscriptionId, key), out var q) && q.NextAt > now;
        void Remember(string subscriptionId, string key) => _queued.AddOrUpdate((subscriptionId, key),
            _ => (now + sweepAfter, 1),
            (_, q) => (now + sweepAfter * Math.Min(q.Wait * 2, MaxBackoff), Math.Min(q.Wait * 2, MaxBackoff)));

        await foreach (var row in digests.ListUnfinishedAsync(cutoff, cancellationToken))
        {
            // A member's period is carried by its lead's row; a deferred send already has its retry queued.
            if (row.GroupedInto is not null || row.NextAttemptAt is { } next && next > cutoff || RecentlyQueued(row.SubscriptionId, row.DigestKey))
                continue;
            await queue.SendAsync(new DigestSendMessage(row.SubscriptionId, row.DigestKey, row.Attempts), cancellationToken);
            Remember(row.SubscriptionId, row.DigestKey);
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
            // The poll's email, unless its row shows it does not carry this match (then the article's own email does):
            // the same choice the handler makes, so the sweep never starts a second email for a match.
            var ownKey = DigestSendHandler.InstantPrefix + match.ArticleId;
            var key = match.ArticleFirstSeenAt is { } seen ? DigestSendHandler.PollKey(match.ArticleId, seen) : ownKey;
            // The poll's email is its carrier's: the address's lead's when the subscription joined one (InstantPollGroups).
            var row = key == ownKey ? await digests.GetAsync(match.SubscriptionId, key, cancellationToken) : await _polls.CarrierAsync(match.SubscriptionId, key, cancellationToken);
            if (key != ownKey && InstantPollGroups.CarriedElsewhere(row, match.SubscriptionId, match.ArticleId))
                row = await digests.GetAsync(match.SubscriptionId, key = ownKey, cancellationToken);
            if (RecentlyQueued(match.SubscriptionId, key) || row is not null && (row.IsFinished || row.NextAttemptAt > cutoff))
                continue;
            await queue.SendAsync(new DigestSendMessage(match.SubscriptionId, key, ArticleId: key == ownKey ? null : match.ArticleId), cancellationToken);
            Remember(match.SubscriptionId, key);
            queued++;
        }

        if (queued > 0)
            logger.LogWarning("Delivery sweep queued {Count} emails that should have been sent by {Cutoff:o}", queued, cutoff);
        return queued;
    }
}
