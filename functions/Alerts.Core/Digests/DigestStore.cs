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
    Sent,
    /// <summary>Nothing was pending when the period came; no email.</summary>
    Empty,
    /// <summary>The subscription was not active (paused, unsubscribed, deleted); no email.</summary>
    Skipped,
}

/// <summary>One email for one subscription and period.</summary>
/// <param name="ArticleIds">The frozen article list (null until frozen).</param>
/// <param name="FrozenAt">When the list was fixed; also the email's Date, so a retry is byte-for-byte the same message.</param>
public sealed record DigestRecord(
    string SubscriptionId,
    string DigestKey,
    DigestState State,
    IReadOnlyList<string>? ArticleIds,
    DateTimeOffset? ScheduledAt,
    DateTimeOffset? FrozenAt,
    DateTimeOffset? SentAt,
    string? MessageId,
    ETag ETag)
{
    public bool IsFinished => State is DigestState.Sent or DigestState.Empty or DigestState.Skipped;
}

/// <summary>Digests in Table Storage: PartitionKey = subscription id, RowKey = digest key ("daily-2026-11-26").</summary>
public sealed class DigestStore(AlertsStorage storage)
{
    private TableClient Table => storage.Table(TableNames.Digests);

    /// <summary>Records that the period was queued. False when it already was (409), so it is never queued twice.</summary>
    public async Task<bool> TryScheduleAsync(string subscriptionId, string digestKey, DateTimeOffset now, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.AddEntityAsync(new TableEntity(subscriptionId, digestKey)
            {
                ["State"] = nameof(DigestState.Scheduled),
                ["ScheduledAt"] = now,
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
    public async Task<bool> TryFreezeAsync(
        string subscriptionId, string digestKey, DigestRecord? current, IReadOnlyList<string> articleIds, DateTimeOffset now,
        CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(subscriptionId, digestKey)
        {
            ["State"] = nameof(DigestState.Frozen),
            ["ArticleIds"] = JsonSerializer.Serialize(articleIds),
            ["FrozenAt"] = now,
            ["ScheduledAt"] = current?.ScheduledAt,
        };
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
        }
        await Table.UpsertEntityAsync(entity, TableUpdateMode.Merge, cancellationToken);
    }

    private static DigestRecord FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.RowKey,
        Enum.TryParse<DigestState>(e.GetString("State"), out var state) ? state : DigestState.Scheduled,
        e.GetString("ArticleIds") is { Length: > 0 } ids ? JsonSerializer.Deserialize<List<string>>(ids) : null,
        e.GetDateTimeOffset("ScheduledAt"),
        e.GetDateTimeOffset("FrozenAt"),
        e.GetDateTimeOffset("SentAt"),
        e.GetString("MessageId"),
        e.ETag);
}
