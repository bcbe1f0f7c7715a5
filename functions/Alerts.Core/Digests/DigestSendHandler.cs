using Alerts.Core.Email;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Digests;

public enum DigestSendOutcome
{
    Sent,
    /// <summary>A redelivered message for a digest that is already finished (sent, empty or skipped).</summary>
    AlreadyDone,
    /// <summary>Nothing pending for the period.</summary>
    Empty,
    /// <summary>The subscription is missing, paused, unsubscribed, not yet confirmed, or its address is suppressed.</summary>
    Skipped,
    /// <summary>Another worker holds the claim to send this email; this one stopped without sending.</summary>
    Claimed,
    /// <summary>The send failed; a retry is queued with a delay and the matches stay pending.</summary>
    Deferred,
    /// <summary>Sending failed until the email was no longer worth sending (see <see cref="DigestState.Superseded"/> and <see cref="DigestState.Expired"/>).</summary>
    GaveUp,
}

public sealed record DigestSendResult(string SubscriptionId, string DigestKey, DigestSendOutcome Outcome, int ArticleCount = 0, string? MessageId = null);

/// <summary>
/// Queue work for <c>digest-send</c>. At-least-once delivery is made safe by the Digests row: the article list
/// is frozen before sending so every attempt sends the same email; one worker claims the row (a conditional write)
/// and only that worker sends; the row says Sent right after the server accepted, then the matches are marked;
/// a finished row makes any later delivery a no-op. A failed send never throws: it queues itself again with a
/// growing delay for as long as the email is worth sending. A poll's instant alert is sent as the email of its
/// address's lead for that poll, a section per alert, like a grouped digest (<see cref="InstantPollGroups"/>).
/// </summary>
public sealed class DigestSendHandler(
    DigestStore digests,
    SubscriptionStore subscriptions,
    MatchStore matches,
    ArticleStore articles,
    DigestComposer composer,
    IEmailSender sender,
    AlertsStorage storage,
    TimeProvider time,
    ILogger<DigestSendHandler> logger,
    IOptions<DeliveryOptions>? deliveryOptions = null,
    DeliveryStore? deliveries = null,
    SendingHealth? health = null,
    SendRateLimiter? sendRate = null)
{
    /// <summary>Articles shown in full when the subscriber set no cap; the rest of the digest lists them by title and link.</summary>
    public const int MaxArticles = 50;

    public const string InstantPrefix = "instant-";

    /// <summary>An instant email for every match of one poll of one feed, per address: "instant-poll-{feedId}-{first seen, Unix ms}".</summary>
    public const string PollPrefix = InstantPrefix + "poll-";

    /// <summary>
    /// An instant email for the matches of one article that its poll's email was frozen without, per address:
    /// "instant-late-{articleId}". Grouped like a poll, so a late story that two alerts of an address match arrives once.
    /// </summary>
    public const string LatePrefix = InstantPrefix + "late-";

    /// <summary>The poll's key: the articles one fetch stored share their feed and first-seen time (and feed ids are hex, never "poll-" or "late-").</summary>
    public static string PollKey(string articleId, DateTimeOffset firstSeenAt) =>
        $"{PollPrefix}{Feeds.ArticleId.Split(articleId).FeedId}-{firstSeenAt.ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Where a grouped key's match goes when the email that carries its subscription was frozen without it: a poll's to
    /// the article's late email (grouped again), a late email's to the subscription's own email of the article
    /// ("instant-{articleId}", never grouped, so the chain ends).
    /// </summary>
    private static string NextKey(string key, string articleId) =>
        key.StartsWith(PollPrefix, StringComparison.Ordinal) ? LatePrefix + articleId : InstantPrefix + articleId;

    /// <summary>Redirects one message may take (to a lead, to the late email, to the article's own, again after each freeze); more is a bug.</summary>
    private const int MaxRedirects = 10;

    private readonly InstantPollGroups _polls = new(digests, subscriptions, time);
    private readonly ReceivedStories _received = new(matches, subscriptions);

    private DeliveryOptions Options => deliveryOptions?.Value ?? new DeliveryOptions();

    /// <summary>Time from the server's acceptance to the Sent row (the duplicate window), for the last email this process sent.</summary>
    public static TimeSpan LastRecordWindow { get; private set; }

    public async Task<DigestSendResult> HandleAsync(DigestSendMessage message, CancellationToken cancellationToken = default)
    {
        if (message.More is { Count: > 0 } more)
            return await FanOutAsync(message, more, cancellationToken);
        var result = await SendAsync(message, cancellationToken);
        logger.LogInformation(
            "Digest {DigestKey} for subscription {SubscriptionId}: {Outcome}, {ArticleCount} articles, message {MessageId}",
            result.DigestKey, result.SubscriptionId, result.Outcome, result.ArticleCount, result.MessageId);
        return result;
    }

    private async Task<DigestSendResult> SendAsync(DigestSendMessage message, CancellationToken cancellationToken, int depth = 0)
    {
        var (origin, key) = (message.SubscriptionId, message.DigestKey);
        if (!SubscriptionStore.IsValidId(origin) || string.IsNullOrWhiteSpace(key))
            throw new ArgumentException($"Malformed digest message: subscription '{origin}', key '{key}'.", nameof(message));
        if (depth > MaxRedirects)
            throw new InvalidOperationException($"Digest {key} for {origin} was redirected {depth} times.");

        // A poll's or late article's alert is handled as its carrier's (the address's lead, see InstantPollGroups): one
        // email per address and poll, and one per address for a story matched after the poll's email froze.
        var article = GroupedArticle(message);
        var (subscriptionId, address) = article is null ? (origin, null) : await _polls.JoinAsync(origin, key, cancellationToken);
        var row = await digests.GetAsync(subscriptionId, key, cancellationToken);
        if (article is not null && row?.GroupedInto is not null && subscriptionId == origin)
            // Claimed into another lead's email since it was read: follow that.
            return await SendAsync(message, cancellationToken, depth + 1);
        if (article is not null && InstantPollGroups.CarriedElsewhere(row, origin, article))
            return await SendAsync(new DigestSendMessage(origin, NextKey(key, article), ArticleId: article), cancellationToken, depth + 1);
        if (row is { State: DigestState.Sent, Recorded: false })
        {
            // The email went out and the last worker died before its matches were marked: finish that, never resend.
            await RecordAsync(row, row.SentMembers ?? [subscriptionId], row.ArticleIds?.Count ?? 0, row.MessageId);
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, row.ArticleIds?.Count ?? 0, row.MessageId);
        }
        if (row is { IsFinished: true })
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, row.ArticleIds?.Count ?? 0, row.MessageId);
        if (row?.GroupedInto is not null)
            // This period of this subscription is a section of the lead's email; that message sends it.
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone);
        if (row is not null && HeldByLiveClaim(row))
            return new(subscriptionId, key, DigestSendOutcome.Claimed);

        // The subscriptions this email covers: the lead alone, or the group the scheduler (or the poll's freeze) fixed on
        // the lead's row; a poll's lead about to freeze claims its address's other instant alerts now.
        var memberIds = row?.Members is { Count: > 0 } listed ? listed
            : row is null && article is not null ? await _polls.MembersAsync(subscriptionId, key, cancellationToken, address)
            : [subscriptionId];
        var active = new List<Subscription>();
        foreach (var id in memberIds)
            if (await subscriptions.GetAsync(id, cancellationToken) is { Status: SubscriptionStatus.Active } member)
                active.Add(member);
        if (active.Count == 0)
        {
            await FinishAllAsync(memberIds, key, DigestState.Skipped, null, cancellationToken);
            return await AfterPollFinishedAsync(message, article, memberIds, new(subscriptionId, key, DigestSendOutcome.Skipped), cancellationToken, depth);
        }
        if (deliveries is not null && await deliveries.GetBouncesAsync(active[0].Email, cancellationToken) is { Suppressed: true })
        {
            // Repeated hard bounces: no more mail to this address until the subscriber changes it (the manage page says why).
            await FinishAllAsync(memberIds, key, DigestState.Skipped, null, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Skipped);
        }

        if (row?.ArticleIds is null)
        {
            var pending = new List<MatchRecord>();
            foreach (var s in active)
                // Less what was first seen before the subscription was made (a redelivered or late article).
                pending.AddRange(await LateMatches.PendingAsync(matches, s, cancellationToken));
            if (IsArticleKey(key))
                // A late match of a story the address already received through another of its alerts is not sent again.
                pending = await _received.WithoutReceivedAsync(pending, active[0].Email, ArticleOf(key), cancellationToken);
            var chosen = Choose(pending, key);
            if (chosen.Count == 0)
            {
                await FinishAllAsync(memberIds, key, DigestState.Empty, null, cancellationToken);
                return await AfterPollFinishedAsync(message, article, memberIds, new(subscriptionId, key, DigestSendOutcome.Empty), cancellationToken, depth);
            }
            var ids = chosen.Select(m => m.ArticleId).Distinct().ToList();
            // A digest of one subscription keeps the old row shape; a grouped one also freezes which subscription matched what.
            var sections = memberIds.Count > 1
                ? active.Select(s => new DigestSectionIds(s.Id, chosen.Where(m => m.SubscriptionId == s.Id).Select(m => m.ArticleId).ToList()))
                    .Where(x => x.ArticleIds.Count > 0).ToList()
                : null;
            // A poll's members are fixed by the same conditional write as its list (the scheduler wrote a digest's earlier).
            var members = article is not null && memberIds.Count > 1 ? memberIds : null;
            if (!await digests.TryFreezeAsync(subscriptionId, key, row, ids, time.GetUtcNow(), cancellationToken, sections, members))
                logger.LogInformation("Digest {DigestKey} for {SubscriptionId} was frozen concurrently; using that list", key, subscriptionId);
            if (article is not null)
                // Whoever won, the row now says who is in the email: start again from it (the members, the origin's article).
                return await SendAsync(message, cancellationToken, depth + 1);
            row = await digests.GetAsync(subscriptionId, key, cancellationToken)
                ?? throw new InvalidOperationException($"Digest row {subscriptionId}/{key} vanished after freezing.");
            if (row.IsFinished)
                return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, row.ArticleIds?.Count ?? 0, row.MessageId);
            if (HeldByLiveClaim(row))
                return new(subscriptionId, key, DigestSendOutcome.Claimed);
        }

        return await DeliverFrozenAsync(message, row, subscriptionId, memberIds, active, cancellationToken);
    }

    /// <summary>
    /// Sends a frozen email: the sections of members still active, unless an earlier attempt already sent it (a match
    /// carries its key) or it is no longer worth sending; then takes a send-rate token and the claim, sends, and records.
    /// </summary>
    private async Task<DigestSendResult> DeliverFrozenAsync(
        DigestSendMessage message, DigestRecord row, string subscriptionId, IReadOnlyList<string> memberIds, List<Subscription> active,
        CancellationToken cancellationToken)
    {
        var key = message.DigestKey;
        var frozen = row.ArticleIds ?? [];
        // Sections of subscriptions paused or unsubscribed since the freeze are dropped: their matches stay pending.
        var activeById = active.ToDictionary(s => s.Id, StringComparer.Ordinal);
        var frozenSections = (row.Sections ?? [new DigestSectionIds(subscriptionId, frozen)])
            .Where(x => activeById.ContainsKey(x.SubscriptionId)).ToList();
        if (frozenSections.Count == 0)
        {
            await FinishAllAsync(memberIds, key, DigestState.Skipped, null, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Skipped);
        }

        // All matches of each partition, not just pending: after a crash between marking and finishing they are already delivered.
        var records = new Dictionary<string, List<MatchRecord>>(StringComparer.Ordinal);
        foreach (var section in frozenSections)
        {
            var set = section.ArticleIds.ToHashSet(StringComparer.Ordinal);
            records[section.SubscriptionId] = (await matches.ListAsync(section.SubscriptionId, cancellationToken)).Where(m => set.Contains(m.ArticleId)).ToList();
        }
        // Matches carry this key only once the server accepted this email (one digest per subscription and key), so
        // any one of them proves an earlier attempt sent it; complete the marking and finish without sending twice.
        if (records.Values.SelectMany(r => r).Any(m => m.DeliveredIn == key))
        {
            await MarkDeliveredAsync(frozenSections, key, CancellationToken.None);
            await FinishSentAsync(memberIds, activeById, key, frozen.Count, row.MessageId, CancellationToken.None);
            return new(subscriptionId, key, DigestSendOutcome.AlreadyDone, frozen.Count, row.MessageId);
        }

        if (NoLongerWorthSending(row, active[0], key) is { } gaveUp)
        {
            await GiveUpAsync(row, memberIds, frozenSections, gaveUp, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.GaveUp, frozen.Count);
        }

        if (key.StartsWith(InstantPrefix, StringComparison.Ordinal) && (row.Attempts > 0 || message.Attempt > 0))
        {
            // A retry: while it waited, another instant email of the address may have carried some of its stories.
            frozenSections = await _received.WithoutReceivedAsync(frozenSections, active[0].Email, cancellationToken);
            if (frozenSections.Count == 0)
            {
                await FinishAllAsync(memberIds, key, DigestState.Empty, null, cancellationToken);
                return new(subscriptionId, key, DigestSendOutcome.Empty);
            }
        }

        var found = (await articles.GetManyAsync(frozenSections.SelectMany(x => x.ArticleIds).Distinct().ToList(), cancellationToken))
            .ToDictionary(a => a.Id, StringComparer.Ordinal);
        var composed = frozenSections.Select(section =>
        {
            var hits = records[section.SubscriptionId].ToDictionary(m => m.ArticleId, m => m.Hits, StringComparer.Ordinal);
            return new DigestSection(activeById[section.SubscriptionId], section.ArticleIds
                .Where(found.ContainsKey)
                .Select(id => new DigestItem(found[id], hits.GetValueOrDefault(id) ?? []))
                .ToList());
        }).ToList();
        var itemCount = composed.SelectMany(x => x.Items).Select(i => i.Article.Id).Distinct().Count();
        if (itemCount == 0)
        {
            // The articles are gone (retention); retire the matches so they don't come back every period.
            await MarkDeliveredAsync(frozenSections, key, cancellationToken);
            await FinishAllAsync(memberIds, key, DigestState.Empty, null, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Empty);
        }

        // The provider's rate across instances: without a token now, this email waits (the same message, hidden until
        // a token should be free, with jitter so the waiting emails spread out). Not an attempt: nothing failed, no
        // claim is held, and the message is never poisoned by waiting.
        if (sendRate is not null && !await sendRate.TakeOrRequeueAsync(QueueNames.DigestSend, message, cancellationToken))
        {
            logger.LogInformation("Digest {DigestKey} for {SubscriptionId} waits for the send rate", key, subscriptionId);
            return new(subscriptionId, key, DigestSendOutcome.Deferred, itemCount);
        }

        // The claim: of all the workers that got this far with this row, exactly one wins the conditional write and
        // sends; every other stops here. A claim whose holder died is taken over once its lease has run out.
        var claimed = await digests.TryClaimAsync(row, time.GetUtcNow(), cancellationToken);
        if (claimed is null)
            return new(subscriptionId, key, DigestSendOutcome.Claimed);

        var email = await composer.ComposeAsync(subscriptionId, composed, key, row.FrozenAt ?? time.GetUtcNow());
        try
        {
            await sender.SendAsync(email, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException && SendFailure.Classify(ex) is { } kind)
        {
            AlertsTelemetry.SendFailures.Add(1);
            await DeferAsync(claimed, active[0], message, kind, ex, cancellationToken);
            return new(subscriptionId, key, DigestSendOutcome.Deferred, itemCount);
        }
        // The duplicate window opens: the server has the email and nothing says so yet. The next write closes it.
        var window = System.Diagnostics.Stopwatch.StartNew();
        var sentMembers = frozenSections.Select(x => x.SubscriptionId).ToList();
        await RetryStorageAsync(ct => digests.RecordSentAsync(subscriptionId, key, time.GetUtcNow(), email.MessageId, sentMembers, ct));
        LastRecordWindow = window.Elapsed;
        AlertsTelemetry.DuplicateWindow.Record(window.Elapsed.TotalMilliseconds);
        AlertsTelemetry.DigestsSent.Add(1);

        await RecordAsync(row, memberIds, itemCount, email.MessageId, activeById, frozenSections);
        if (deliveries is not null && (row.Attempts > 0 || message.Attempt > 0))
            await TryAsync(ct => deliveries.ClearBouncesAsync(active[0].Email, ct));
        if (health is not null)
            await TryAsync(health.AfterSuccessAsync);
        return new(subscriptionId, key, DigestSendOutcome.Sent, itemCount, email.MessageId);
    }

    /// <summary>
    /// A grouped email finished without sending (nothing pending, nobody active). The origin's own matches were in it
    /// unless it is not a member (it joined a lead that froze without it): then its row shows the carrier finished
    /// with nothing for it, and the next key (<see cref="NextKey"/>) takes its match.
    /// </summary>
    private async Task<DigestSendResult> AfterPollFinishedAsync(
        DigestSendMessage message, string? article, IReadOnlyList<string> memberIds, DigestSendResult result, CancellationToken cancellationToken, int depth) =>
        article is not null && !memberIds.Contains(message.SubscriptionId, StringComparer.Ordinal)
            ? await SendAsync(message, cancellationToken, depth + 1)
            : result;

    /// <summary>
    /// A batch of instant alerts: each subscription's email is handled on its own. One that throws (storage trouble,
    /// a broken row) is queued again alone, so it neither fails nor repeats the others.
    /// </summary>
    private async Task<DigestSendResult> FanOutAsync(DigestSendMessage batch, IReadOnlyList<string> more, CancellationToken cancellationToken)
    {
        var ids = more.Prepend(batch.SubscriptionId).Distinct(StringComparer.Ordinal).ToList();
        var sent = 0;
        var queue = storage.Queue(QueueNames.DigestSend);
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken }, async (id, ct) =>
        {
            var single = new DigestSendMessage(id, batch.DigestKey, batch.Attempt, ArticleId: batch.ArticleId);
            try
            {
                if ((await HandleAsync(single, ct)).Outcome == DigestSendOutcome.Sent)
                    Interlocked.Increment(ref sent);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Instant alert {DigestKey} for {SubscriptionId} failed inside a batch; queued on its own", batch.DigestKey, id);
                await queue.SendAsync(single, ct);
            }
        });
        return new(batch.SubscriptionId, batch.DigestKey, sent > 0 ? DigestSendOutcome.Sent : DigestSendOutcome.AlreadyDone, sent);
    }

    /// <summary>A Sending row whose claim is younger than the lease: its holder may be sending right now.</summary>
    private bool HeldByLiveClaim(DigestRecord row) =>
        row.State == DigestState.Sending && row.ClaimedAt is { } at && time.GetUtcNow() - at < Options.ClaimLease;

    /// <summary>
    /// After the server accepted: marks the matches and finishes every member row, then flags the lead's row Recorded.
    /// Runs to the end even when the host is stopping, retrying through a storage blip.
    /// </summary>
    private async Task RecordAsync(
        DigestRecord row, IReadOnlyList<string> sentMembers, int count, string? messageId,
        IReadOnlyDictionary<string, Subscription>? activeById = null, IReadOnlyList<DigestSectionIds>? sections = null)
    {
        var memberIds = row.Members is { Count: > 0 } listed ? listed : [row.SubscriptionId];
        sections ??= (row.Sections ?? [new DigestSectionIds(row.SubscriptionId, row.ArticleIds ?? [])])
            .Where(x => sentMembers.Contains(x.SubscriptionId, StringComparer.Ordinal)).ToList();
        if (activeById is null)
        {
            var found = new Dictionary<string, Subscription>(StringComparer.Ordinal);
            foreach (var id in sentMembers)
                if (await subscriptions.GetAsync(id, CancellationToken.None) is { } s)
                    found[id] = s;
            activeById = found;
        }
        await RetryStorageAsync(ct => MarkDeliveredAsync(sections, row.DigestKey, ct));
        await RetryStorageAsync(ct => FinishSentAsync(memberIds, activeById, row.DigestKey, count, messageId, ct));
    }

    /// <summary>
    /// A failed send: count a hard bounce against the address, tell the outage tracker about a transient failure,
    /// give the claim back and queue the same message again after a growing, jittered delay. Never throws for the
    /// failure itself, so the message is never poisoned by an outage.
    /// </summary>
    private async Task DeferAsync(DigestRecord claimed, Subscription lead, DigestSendMessage message, SendFailureKind kind, Exception ex, CancellationToken cancellationToken)
    {
        var options = Options;
        var attempts = Math.Max(claimed.Attempts, message.Attempt) + 1;
        if (kind == SendFailureKind.HardBounce && deliveries is not null)
        {
            var bounces = await deliveries.RecordHardBounceAsync(lead.Email, ex.Message, time.GetUtcNow(), options.HardBouncesToSuppress, cancellationToken);
            logger.LogWarning("Hard bounce {Count} for subscription {SubscriptionId}: {Reply}{Suppressed}",
                bounces.HardBounces, lead.Id, ex.Message, bounces.Suppressed ? "; address suppressed" : "");
        }
        else if (kind == SendFailureKind.Transient && health is not null)
        {
            await health.AfterFailureAsync($"{ex.GetType().Name}: {ex.Message}", cancellationToken);
        }

        var delay = RetryDelay(attempts, options);
        await digests.ReleaseAsync(claimed, attempts, time.GetUtcNow() + delay, $"{kind}: {ex.Message}", cancellationToken);
        // A new message rather than the trigger's retry: the delay can grow to hours and the dequeue count never
        // reaches the poison limit. If this send fails the handler throws and the trigger redelivers the original.
        await storage.Queue(QueueNames.DigestSend).SendHiddenAsync(message with { Attempt = attempts }, delay, cancellationToken, neverExpires: true);
        logger.LogWarning("Digest {DigestKey} for {SubscriptionId}: {Kind} failure on attempt {Attempt} ({Error}); retrying in {Delay}",
            claimed.DigestKey, claimed.SubscriptionId, kind, attempts, ex.Message, delay);
    }

    /// <summary>Exponential from the initial delay, capped, with ±25% jitter so that a recovered relay is not hit by every retry at once.</summary>
    public static TimeSpan RetryDelay(int attempts, DeliveryOptions options)
    {
        var exponential = options.RetryInitialDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(exponential, options.RetryMaxDelay.TotalMilliseconds);
        var jittered = capped * (0.75 + Random.Shared.NextDouble() * 0.5);
        return TimeSpan.FromMilliseconds(Math.Clamp(jittered, 1, TimeSpan.FromDays(7).TotalMilliseconds - 1000));
    }

    /// <summary>
    /// Instant alerts are worth a day after they were frozen; a periodic digest until the next one of the same schedule
    /// is due (that one then carries the matches, which stay pending).
    /// </summary>
    private DigestState? NoLongerWorthSending(DigestRecord row, Subscription lead, string key)
    {
        if (row.Attempts == 0)
            return null;
        var now = time.GetUtcNow();
        if (key.StartsWith(InstantPrefix, StringComparison.Ordinal))
            return now - (row.FrozenAt ?? now) > Options.InstantWorthFor ? DigestState.Expired : null;
        return DigestSchedule.Current(lead, now) is { IsDue: true } current && current.Key != key ? DigestState.Superseded : null;
    }

    private async Task GiveUpAsync(DigestRecord row, IReadOnlyList<string> memberIds, IReadOnlyList<DigestSectionIds> sections, DigestState state, CancellationToken cancellationToken)
    {
        logger.LogWarning("Digest {DigestKey} for {SubscriptionId} gave up after {Attempts} attempts: {State}", row.DigestKey, row.SubscriptionId, row.Attempts, state);
        // An expired instant alert's match is retired (marked with the expiry) so the sweep stops offering it; a
        // superseded digest's matches stay pending for the next digest.
        if (state == DigestState.Expired)
            await MarkDeliveredAsync(sections, "expired-" + row.DigestKey, cancellationToken);
        await FinishAllAsync(memberIds, row.DigestKey, state, null, cancellationToken);
    }

    /// <summary>Storage writes after the email is out: retried for <see cref="DeliveryOptions.RecordFor"/> (storage restarting), ignoring shutdown.</summary>
    private async Task RetryStorageAsync(Func<CancellationToken, Task> write)
    {
        var deadline = System.Diagnostics.Stopwatch.StartNew();
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await write(CancellationToken.None);
                return;
            }
            // The SDK's own retries running out against a storage that is down is an AggregateException: wait for it too.
            catch (Exception ex) when (StorageFailure.IsTransient(ex) && deadline.Elapsed < Options.RecordFor)
            {
                logger.LogWarning("Recording a sent email failed (attempt {Attempt}): {Error}; retrying", attempt, ex.Message);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200 * attempt, 5000)));
            }
        }
    }

    private async Task TryAsync(Func<CancellationToken, Task> work)
    {
        try
        {
            await work(CancellationToken.None);
        }
        catch (Exception ex) when (StorageFailure.IsTransient(ex))
        {
            logger.LogWarning("Bookkeeping after a send failed: {Error}", ex.Message);
        }
    }

    private async Task MarkDeliveredAsync(IEnumerable<DigestSectionIds> sections, string key, CancellationToken cancellationToken)
    {
        foreach (var section in sections)
            await matches.MarkDeliveredAsync(section.SubscriptionId, section.ArticleIds, key, cancellationToken);
    }

    private async Task FinishAllAsync(IEnumerable<string> memberIds, string key, DigestState state, string? messageId, CancellationToken cancellationToken)
    {
        foreach (var id in memberIds)
            await digests.FinishAsync(id, key, state, time.GetUtcNow(), messageId, cancellationToken);
    }

    /// <summary>Every member row is finished: Sent for the subscriptions in the email, Skipped for those no longer active.</summary>
    private async Task FinishSentAsync(
        IReadOnlyList<string> memberIds, IReadOnlyDictionary<string, Subscription> active, string key, int count, string? messageId,
        CancellationToken cancellationToken)
    {
        // Members first, the lead last: the lead's finished row is what makes a redelivery a no-op.
        foreach (var id in memberIds.Skip(1).Append(memberIds[0]))
        {
            if (active.TryGetValue(id, out var subscription))
                await FinishSentAsync(subscription, key, count, cancellationToken, messageId);
            else
                await digests.FinishAsync(id, key, DigestState.Skipped, time.GetUtcNow(), cancellationToken: cancellationToken);
        }
    }

    /// <summary>The article of a grouped key's message (a poll's alert, or a late article's); null for any other message.</summary>
    private static string? GroupedArticle(DigestSendMessage message) =>
        message.DigestKey.StartsWith(PollPrefix, StringComparison.Ordinal) ? message.ArticleId
        : message.DigestKey.StartsWith(LatePrefix, StringComparison.Ordinal) ? ArticleOf(message.DigestKey)
        : null;

    /// <summary>An instant key that names one article (a late story's, or a subscription's own email of it), not a poll.</summary>
    private static bool IsArticleKey(string key) =>
        key.StartsWith(InstantPrefix, StringComparison.Ordinal) && !key.StartsWith(PollPrefix, StringComparison.Ordinal);

    /// <summary>The article an article's instant key names: "instant-late-{articleId}" or "instant-{articleId}".</summary>
    private static string ArticleOf(string key) =>
        key.StartsWith(LatePrefix, StringComparison.Ordinal) ? key[LatePrefix.Length..] : key[InstantPrefix.Length..];

    /// <summary>
    /// A poll's key carries every pending match of that poll; an article's instant key carries that article; periodic
    /// digests carry every pending match (the composer shows the first in full).
    /// </summary>
    private static List<MatchRecord> Choose(IReadOnlyList<MatchRecord> pending, string key)
    {
        if (key.StartsWith(PollPrefix, StringComparison.Ordinal))
        {
            // Matched before the freeze: a match written later is not in this list and goes in an email of its own.
            return pending.Where(m => m.ArticleFirstSeenAt is { } seen && PollKey(m.ArticleId, seen) == key)
                .OrderBy(m => m.MatchedAt).ThenBy(m => m.ArticleId, StringComparer.Ordinal).ToList();
        }
        if (key.StartsWith(InstantPrefix, StringComparison.Ordinal))
        {
            // Only the named article, so two instant emails racing for the same subscription never carry the same match.
            var articleId = ArticleOf(key);
            return pending.Where(m => m.ArticleId == articleId).ToList();
        }
        // Every pending match, oldest first, so nothing is left behind to pile up (the composer lists the rest by title).
        return pending.OrderBy(m => m.MatchedAt).ThenBy(m => m.ArticleId, StringComparer.Ordinal).ThenBy(m => m.SubscriptionId, StringComparer.Ordinal).ToList();
    }

    private async Task FinishSentAsync(Subscription subscription, string key, int count, CancellationToken cancellationToken, string? messageId = null)
    {
        var now = time.GetUtcNow();
        await digests.FinishAsync(subscription.Id, key, DigestState.Sent, now, messageId, cancellationToken);
        if (!await subscriptions.RecordDigestSentAsync(subscription.Id, now, cancellationToken))
            logger.LogInformation("Subscription {SubscriptionId} was deleted while digest {DigestKey} ({Count} articles) was sent", subscription.Id, key, count);
    }
}
