using System.Text.Json;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Digests;

public enum DigestState
{
    /// <summary>Queued by the scheduler; nothing chosen yet.</summary>
    Scheduled,
    /// <summary>The article list is fixed, so a retry sends the same email.</summary>
    Frozen,
    /// <summary>One worker holds the claim to send (see <see cref="DigestRecord.ClaimedAt"/>); every other stops.</summary>
    Sending,
    /// <summary>The server accepted the email. <see cref="DigestRecord.Recorded"/> says whether its matches are marked yet.</summary>
    Sent,
    /// <summary>Nothing was pending when the period came; no email.</summary>
    Empty,
    /// <summary>The subscription was not active (paused, unsubscribed, deleted) or its address is suppressed; no email.</summary>
    Skipped,
    /// <summary>Sending failed until the next digest of the same schedule came due; that one carries the matches.</summary>
    Superseded,
    /// <summary>An instant alert that could not be sent while it was worth sending.</summary>
    Expired,
}

/// <summary>One subscription's part of a frozen digest: the articles chosen from its matches.</summary>
public sealed record DigestSectionIds(string SubscriptionId, IReadOnlyList<string> ArticleIds);

/// <summary>One email for one subscription and period.</summary>
/// <param name="ArticleIds">The frozen article list (null until frozen); for a grouped digest, every section's articles, each once.</param>
/// <param name="FrozenAt">When the list was fixed; also the email's Date, so a retry is byte-for-byte the same message.</param>
/// <param name="Members">
/// On the lead's row of a grouped digest: every subscription of the address the scheduler put in this email, in
/// section order, the lead first. Null for a digest of one subscription.
/// </param>
/// <param name="GroupedInto">On the other members' rows: the lead whose row (and email) carries this period.</param>
/// <param name="Sections">The frozen per-subscription lists of a grouped digest (null for a digest of one subscription).</param>
public sealed record DigestRecord(
    string SubscriptionId,
    string DigestKey,
    DigestState State,
    IReadOnlyList<string>? ArticleIds,
    DateTimeOffset? ScheduledAt,
    DateTimeOffset? FrozenAt,
    DateTimeOffset? SentAt,
    string? MessageId,
    ETag ETag,
    IReadOnlyList<string>? Members = null,
    string? GroupedInto = null,
    IReadOnlyList<DigestSectionIds>? Sections = null)
{
    /// <summary>When the current claim was taken (state Sending).</summary>
    public DateTimeOffset? ClaimedAt { get; init; }

    /// <summary>Failed send attempts so far.</summary>
    public int Attempts { get; init; }

    /// <summary>When the next attempt is queued for, after a failure (the sweep leaves the row alone until then).</summary>
    public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>On a Sent row: the matches are marked delivered and the members finished.</summary>
    public bool Recorded { get; init; }

    /// <summary>On a Sent row: the subscriptions whose sections the email carried.</summary>
    public IReadOnlyList<string>? SentMembers { get; init; }

    public bool IsFinished => State is DigestState.Sent or DigestState.Empty or DigestState.Skipped or DigestState.Superseded or DigestState.Expired;
}

/// <summary>Digests in Table Storage: PartitionKey = subscription id, RowKey = digest key ("daily-2026-11-26").</summary>
public sealed class DigestStore(AlertsStorage storage)
{
    private TableClient Table => storage.Table(TableNames.Digests);

    /// <summary>Records that the period was queued. False when it already was (409), so it is never queued twice.</summary>
    /// <param name="groupedInto">The lead subscription whose email carries this one's period (grouped digests).</param>
    public async Task<bool> TryScheduleAsync(
        string subscriptionId, string digestKey, DateTimeOffset now, CancellationToken cancellationToken = default, string? groupedInto = null)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(subscriptionId, digestKey)
            {
                ["State"] = nameof(DigestState.Scheduled),
                ["ScheduledAt"] = now,
                ["GroupedInto"] = groupedInto,
            }, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
            return false;
        }
    }

    /// <summary>Undoes <see cref="TryScheduleAsync"/> when the queue message could not be sent, so the next tick retries.</summary>
    public async Task UnscheduleAsync(string subscriptionId, string digestKey, CancellationToken cancellationToken = default) =>
        await Table.DeleteEntityAsync(subscriptionId, digestKey, ETag.All, cancellationToken);

    /// <summary>Records on the lead's row which subscriptions its email covers (before the message is queued).</summary>
    public async Task SetMembersAsync(string subscriptionId, string digestKey, IReadOnlyList<string> members, CancellationToken cancellationToken = default) =>
        await Table.UpdateEntityAsync(
            new TableEntity(subscriptionId, digestKey) { ["Members"] = JsonSerializer.Serialize(members) },
            ETag.All, TableUpdateMode.Merge, cancellationToken);

    public async Task<DigestRecord?> GetAsync(string subscriptionId, string digestKey, CancellationToken cancellationToken = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(subscriptionId, digestKey, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<DigestRecord>> ListAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {subscriptionId}");
        var list = new List<DigestRecord>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            list.Add(FromEntity(entity));
        return list;
    }

    /// <summary>
    /// Fixes the article list. Conditional on the row being unchanged since <paramref name="current"/> was read
    /// (or absent), so two concurrent deliveries cannot freeze different lists; false means the caller lost and should re-read.
    /// </summary>
    /// <param name="members">A poll's group (see <see cref="InstantPollGroups"/>), fixed by the same write as its list.</param>
    public async Task<bool> TryFreezeAsync(
        string subscriptionId, string digestKey, DigestRecord? current, IReadOnlyList<string> articleIds, DateTimeOffset now,
        CancellationToken cancellationToken = default, IReadOnlyList<DigestSectionIds>? sections = null, IReadOnlyList<string>? members = null)
    {
        var entity = new TableEntity(subscriptionId, digestKey)
        {
            ["State"] = nameof(DigestState.Frozen),
            ["FrozenAt"] = now,
            ["ScheduledAt"] = current?.ScheduledAt,
        };
        LargeProperty.Write(entity, "ArticleIds", JsonSerializer.Serialize(articleIds));
        if (members is not null)
            entity["Members"] = JsonSerializer.Serialize(members);
        if (sections is not null)
            LargeProperty.Write(entity, "Sections", JsonSerializer.Serialize(sections.Select(x => new SectionJson(x.SubscriptionId, x.ArticleIds.ToList()))));
        try
        {
            if (current is null)
                await Table.AddEntityAsync(entity, cancellationToken);
            else
                await Table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412)
        {
            return false;
        }
    }

    /// <summary>
    /// Takes the claim to send a frozen row: conditional on the row's ETag, so of any number of workers holding the same
    /// read exactly one wins; the others get false and must stop without sending. A claim older than the lease
    /// (its holder died) can be taken over the same way.
    /// </summary>
    public async Task<DigestRecord?> TryClaimAsync(DigestRecord current, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(current.SubscriptionId, current.DigestKey)
        {
            ["State"] = nameof(DigestState.Sending),
            ["ClaimedAt"] = now,
        };
        try
        {
            var response = await Table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Merge, cancellationToken);
            return current with { State = DigestState.Sending, ClaimedAt = now, ETag = response.Headers.ETag ?? default };
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return null;
        }
    }

    /// <summary>
    /// Gives the claim back after a failed send, with the attempt count and when the next attempt is due. Conditional on
    /// the claim's ETag: if another worker took the claim over meanwhile, theirs stands.
    /// </summary>
    public async Task ReleaseAsync(DigestRecord claimed, int attempts, DateTimeOffset nextAttemptAt, string error, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(claimed.SubscriptionId, claimed.DigestKey)
        {
            ["State"] = nameof(DigestState.Frozen),
            ["Attempts"] = attempts,
            ["NextAttemptAt"] = nextAttemptAt,
            ["LastError"] = error.Length > 1000 ? error[..1000] : error,
        };
        try
        {
            await Table.UpdateEntityAsync(entity, claimed.ETag, TableUpdateMode.Merge, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 412)
        {
        }
    }

    /// <summary>
    /// The one write that follows the server's acceptance: the row says Sent (not yet Recorded), which is what makes every
    /// later delivery of the message stop. Unconditional: the email is out whoever holds the claim now.
    /// </summary>
    public async Task RecordSentAsync(
        string subscriptionId, string digestKey, DateTimeOffset now, string? messageId, IReadOnlyList<string> sentMembers,
        CancellationToken cancellationToken = default) =>
        await Table.UpsertEntityAsync(new TableEntity(subscriptionId, digestKey)
        {
            ["State"] = nameof(DigestState.Sent),
            ["SentAt"] = now,
            ["FinishedAt"] = now,
            ["MessageId"] = messageId,
            ["Recorded"] = false,
            ["SentMembers"] = JsonSerializer.Serialize(sentMembers),
        }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Marks a Sent row's bookkeeping (matches, members) complete.</summary>
    public async Task SetRecordedAsync(string subscriptionId, string digestKey, CancellationToken cancellationToken = default) =>
        await Table.UpsertEntityAsync(new TableEntity(subscriptionId, digestKey) { ["Recorded"] = true }, TableUpdateMode.Merge, cancellationToken);

    /// <summary>Unfinished rows (scheduled, frozen, sending, sent but not recorded) scheduled or frozen before <paramref name="before"/> (app time): what the sweep looks at.</summary>
    public async IAsyncEnumerable<DigestRecord> ListUnfinishedAsync(
        DateTimeOffset before, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter(
            $"(State eq {nameof(DigestState.Scheduled)} or State eq {nameof(DigestState.Frozen)} or State eq {nameof(DigestState.Sending)} or (State eq {nameof(DigestState.Sent)} and Recorded eq {false})) and (ScheduledAt lt {before} or FrozenAt lt {before})");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    /// <summary>Sets a final state (merge: the frozen list stays for the record).</summary>
    public async Task FinishAsync(
        string subscriptionId, string digestKey, DigestState state, DateTimeOffset now, string? messageId = null,
        CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(subscriptionId, digestKey)
        {
            ["State"] = state.ToString(),
            ["FinishedAt"] = now,
        };
        if (state == DigestState.Sent)
        {
            entity["SentAt"] = now;
            entity["MessageId"] = messageId;
            entity["Recorded"] = true;
        }
        await Table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
    }

    private static DigestRecord FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.RowKey,
        Enum.TryParse<DigestState>(e.GetString("State"), out var state) ? state : DigestState.Scheduled,
        LargeProperty.Read(e, "ArticleIds") is { Length: > 0 } ids ? JsonSerializer.Deserialize<List<string>>(ids) : null,
        e.GetDateTimeOffset("ScheduledAt"),
        e.GetDateTimeOffset("FrozenAt"),
        e.GetDateTimeOffset("SentAt"),
        e.GetString("MessageId"),
        e.ETag,
        e.GetString("Members") is { Length: > 0 } members ? JsonSerializer.Deserialize<List<string>>(members) : null,
        e.GetString("GroupedInto") is { Length: > 0 } lead ? lead : null,
        LargeProperty.Read(e, "Sections") is { Length: > 0 } sections
            ? JsonSerializer.Deserialize<List<SectionJson>>(sections)?.Select(x => new DigestSectionIds(x.S, x.A)).ToList()
            : null)
    {
        ClaimedAt = e.GetDateTimeOffset("ClaimedAt"),
        Attempts = e.GetInt32("Attempts") ?? 0,
        NextAttemptAt = e.GetDateTimeOffset("NextAttemptAt"),
        // Rows written before the flag existed were marked before they were finished.
        Recorded = e.GetBoolean("Recorded") ?? true,
        SentMembers = e.GetString("SentMembers") is { Length: > 0 } sent ? JsonSerializer.Deserialize<List<string>>(sent) : null,
    };

    private sealed record SectionJson(string S, List<string> A);
}
