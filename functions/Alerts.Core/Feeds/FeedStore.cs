using System.Runtime.CompilerServices;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Feeds;

/// <summary>Feeds in Table Storage: one small partition ("feed"), RowKey = feed id.</summary>
public sealed class FeedStore(AlertsStorage storage)
{
    public const string Partition = "feed";

    // Two workers (poll tick and fetch, or two fetches) may update one feed at once; give up only if it stays contended.
    private const int MaxUpdateAttempts = 10;

    private TableClient Table => storage.Table(TableNames.Feeds);

    /// <summary>Inserts the feed. False when a feed with the same (normalised) URL already exists.</summary>
    public async Task<bool> TryAddAsync(Feed feed, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.AddEntityAsync(ToEntity(feed), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
            return false;
        }
    }

    public async Task<Feed?> GetAsync(string feedId, CancellationToken cancellationToken = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, feedId, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async IAsyncEnumerable<Feed> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    /// <summary>Active feeds whose <see cref="Feed.NextCheckAt"/> is at or before <paramref name="now"/>.</summary>
    public async IAsyncEnumerable<Feed> ListDueAsync(DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var active = nameof(FeedStatus.Active);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {active} and NextCheckAt le {now}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    /// <summary>
    /// Reads the feed, applies <paramref name="mutate"/> and writes it back only if nobody changed it meanwhile;
    /// on a conflict (412) it re-reads and applies <paramref name="mutate"/> again, so the function must be pure.
    /// Returning the same instance skips the write. Returns the stored feed, or null when it does not exist.
    /// </summary>
    public async Task<Feed?> UpdateAsync(string feedId, Func<Feed, Feed> mutate, CancellationToken cancellationToken = default)
    {
        for (var attempt = 1; ; attempt++)
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, feedId, cancellationToken: cancellationToken);
            if (!response.HasValue)
                return null;
            var current = FromEntity(response.Value!);
            var updated = mutate(current);
            if (ReferenceEquals(updated, current))
                return current;
            if (updated.Id != current.Id)
                throw new InvalidOperationException("A feed update may not change the feed id.");
            try
            {
                await Table.UpdateEntityAsync(ToEntity(updated), response.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                return updated;
            }
            catch (RequestFailedException ex) when (ex.Status == 412 && attempt < MaxUpdateAttempts)
            {
                // Someone else wrote first: start again from their version.
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                return null;
            }
        }
    }

    public async Task<bool> DeleteAsync(string feedId, CancellationToken cancellationToken = default)
    {
        var response = await Table.DeleteEntityAsync(Partition, feedId, ETag.All, cancellationToken);
        return response.Status != 404;
    }

    // "ETag" and "Timestamp" are reserved by the Table service, hence the Http prefix.
    private static TableEntity ToEntity(Feed f) => new(Partition, f.Id)
    {
        ["Url"] = f.Url,
        ["Title"] = f.Title,
        ["SiteUrl"] = f.SiteUrl,
        ["Status"] = f.Status.ToString(),
        ["DisabledReason"] = f.DisabledReason,
        ["Tags"] = f.Tags,
        ["CreatedAt"] = f.CreatedAt,
        ["HttpETag"] = f.ETag,
        ["HttpLastModified"] = f.LastModified,
        ["ContentHash"] = f.ContentHash,
        ["NextCheckAt"] = f.NextCheckAt,
        ["LastCheckedAt"] = f.LastCheckedAt,
        ["LastSuccessAt"] = f.LastSuccessAt,
        ["LastHttpStatus"] = f.LastHttpStatus,
        ["LastError"] = f.LastError is { Length: > 2000 } e ? e[..2000] : f.LastError,
        ["LastErrorKind"] = f.LastErrorKind?.ToString(),
        ["ConsecutiveFailures"] = f.ConsecutiveFailures,
        ["PollIntervalSeconds"] = (long)f.PollInterval.TotalSeconds,
        ["LastNewItemAt"] = f.LastNewItemAt,
        ["ItemsSeen"] = f.ItemsSeen,
        ["BytesSavedBy304"] = f.BytesSavedBy304,
        ["LastBodyBytes"] = f.LastBodyBytes,
        ["LastResponseMs"] = f.LastResponseMs,
    };

    private static Feed FromEntity(TableEntity e) => new(
        e.RowKey,
        e.GetString("Url") ?? "",
        e.GetString("Title") ?? "",
        e.GetString("SiteUrl") ?? "",
        Enum.TryParse<FeedStatus>(e.GetString("Status"), out var status) ? status : FeedStatus.Paused,
        e.GetString("DisabledReason"),
        e.GetString("Tags") ?? "",
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetString("HttpETag"),
        e.GetDateTimeOffset("HttpLastModified"),
        e.GetString("ContentHash"),
        e.GetDateTimeOffset("NextCheckAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("LastCheckedAt"),
        e.GetDateTimeOffset("LastSuccessAt"),
        e.GetInt32("LastHttpStatus"),
        e.GetString("LastError"),
        Enum.TryParse<FeedErrorKind>(e.GetString("LastErrorKind"), out var kind) ? kind : null,
        e.GetInt32("ConsecutiveFailures") ?? 0,
        TimeSpan.FromSeconds(e.GetInt64("PollIntervalSeconds") ?? 900),
        e.GetDateTimeOffset("LastNewItemAt"),
        e.GetInt64("ItemsSeen") ?? 0,
        e.GetInt64("BytesSavedBy304") ?? 0,
        e.GetInt64("LastBodyBytes") ?? 0,
        e.GetInt32("LastResponseMs"));
}
