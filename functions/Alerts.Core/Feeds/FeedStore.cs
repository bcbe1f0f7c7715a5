using System.Runtime.CompilerServices;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Feeds;

/// <summary>A feed as read, with the entity ETag that a conditional write needs.</summary>
public sealed record StoredFeed(Feed Feed, ETag ETag);

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

    public async Task<Feed?> GetAsync(string feedId, CancellationToken cancellationToken = default) =>
        (await GetStoredAsync(feedId, cancellationToken))?.Feed;

    public async Task<StoredFeed?> GetStoredAsync(string feedId, CancellationToken cancellationToken = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, feedId, cancellationToken: cancellationToken);
        return response.HasValue ? new StoredFeed(FromEntity(response.Value!), response.Value!.ETag) : null;
    }

    /// <summary>
    /// Several feeds in one request (a query on their RowKeys), for a fetch message that carries a host's feeds.
    /// Missing ids are simply absent from the result.
    /// </summary>
    public async Task<IReadOnlyList<StoredFeed>> GetManyStoredAsync(IReadOnlyCollection<string> feedIds, CancellationToken cancellationToken = default)
    {
        if (feedIds.Count == 0)
            return [];
        // Ids are lower-case hex (see Feed.IdFor); anything else cannot be a feed and is left out of the filter.
        var valid = feedIds.Where(id => id.Length > 0 && id.All(char.IsAsciiHexDigitLower)).ToList();
        if (valid.Count == 0)
            return [];
        var filter = $"PartitionKey eq '{Partition}' and (" + string.Join(" or ", valid.Select(id => $"RowKey eq '{id}'")) + ")";
        var found = new List<StoredFeed>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            found.Add(new StoredFeed(FromEntity(entity), entity.ETag));
        return found;
    }

    /// <summary>Overwrites the feed unconditionally (admin re-adding a deleted feed).</summary>
    public Task ReplaceAsync(Feed feed, CancellationToken cancellationToken = default) =>
        Table.UpsertEntityAsync(ToEntity(feed), TableUpdateMode.Replace, cancellationToken);

    public async IAsyncEnumerable<Feed> ListAsync([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    /// <summary>Active feeds whose <see cref="Feed.NextCheckAt"/> is at or before <paramref name="now"/>.</summary>
    public async IAsyncEnumerable<Feed> ListDueAsync(DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var stored in ListDueStoredAsync(now, cancellationToken))
            yield return stored.Feed;
    }

    /// <summary>Like <see cref="ListDueAsync"/>, with ETags, so the poller can claim without reading each feed again.</summary>
    public async IAsyncEnumerable<StoredFeed> ListDueStoredAsync(DateTimeOffset now, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var active = nameof(FeedStatus.Active);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {active} and NextCheckAt le {now}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return new StoredFeed(FromEntity(entity), entity.ETag);
    }

    public async IAsyncEnumerable<Feed> ListByStatusAsync(FeedStatus status, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var name = status.ToString();
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {Partition} and Status eq {name}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    /// <summary>
    /// Pushes <see cref="Feed.NextCheckAt"/> of every feed to <paramref name="until"/> in one entity-group transaction
    /// (one request for up to 100 feeds), each conditional on the ETag it was listed with. All or nothing: false when
    /// any of them changed meanwhile, and the caller claims those one by one.
    /// </summary>
    public async Task<bool> TryClaimAllAsync(IReadOnlyList<StoredFeed> chunk, DateTimeOffset until, CancellationToken cancellationToken = default)
    {
        if (chunk.Count is 0 or > 100)
            throw new ArgumentOutOfRangeException(nameof(chunk), "A transaction holds 1 to 100 feeds.");
        var actions = chunk.Select(s => new TableTransactionAction(
            TableTransactionActionType.UpdateMerge,
            new TableEntity(Partition, s.Feed.Id) { ["NextCheckAt"] = until },
            s.ETag));
        try
        {
            await Table.SubmitTransactionAsync(actions, cancellationToken);
            return true;
        }
        catch (TableTransactionFailedException ex) when (ex.Status is 412 or 404)
        {
            return false;
        }
    }

    /// <summary>
    /// Reads the feed, applies <paramref name="mutate"/> and writes it back only if nobody changed it meanwhile;
    /// on a conflict (412) it re-reads and applies <paramref name="mutate"/> again, so the function must be pure.
    /// Returning the same instance skips the write. Returns the stored feed, or null when it does not exist.
    /// </summary>
    /// <param name="known">A version just read: the first attempt writes against its ETag without reading again.</param>
    public async Task<Feed?> UpdateAsync(string feedId, Func<Feed, Feed> mutate, CancellationToken cancellationToken = default, StoredFeed? known = null)
    {
        for (var attempt = 1; ; attempt++)
        {
            var stored = attempt == 1 && known is not null ? known : await GetStoredAsync(feedId, cancellationToken);
            if (stored is null)
                return null;
            var current = stored.Feed;
            var updated = mutate(current);
            if (ReferenceEquals(updated, current))
                return current;
            if (updated.Id != current.Id)
                throw new InvalidOperationException("A feed update may not change the feed id.");
            try
            {
                await Table.UpdateEntityAsync(ToEntity(updated), stored.ETag, TableUpdateMode.Replace, cancellationToken);
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
        ["Identity"] = f.Identity.ToString(),
        ["PublisherFloorSeconds"] = f.PublisherFloor is { } floor ? (long)floor.TotalSeconds : null,
        ["FailingSince"] = f.FailingSince,
        ["BrokenAlertSentAt"] = f.BrokenAlertSentAt,
        ["DeletedAt"] = f.DeletedAt,
        ["FirstFetchedAt"] = f.FirstFetchedAt,
        ["FullText"] = f.FullText.ToString(),
        ["LastRepairs"] = f.LastRepairs is { Length: > 1000 } r ? r[..1000] : f.LastRepairs,
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
        e.GetInt32("LastResponseMs"),
        Enum.TryParse<ItemIdentity>(e.GetString("Identity"), out var identity) ? identity : ItemIdentity.Auto,
        e.GetInt64("PublisherFloorSeconds") is { } floor ? TimeSpan.FromSeconds(floor) : null,
        e.GetDateTimeOffset("FailingSince"),
        e.GetDateTimeOffset("BrokenAlertSentAt"),
        e.GetDateTimeOffset("DeletedAt"),
        e.GetDateTimeOffset("FirstFetchedAt"),
        Enum.TryParse<FullTextMode>(e.GetString("FullText"), out var fullText) ? fullText : FullTextMode.Off)
    {
        LastRepairs = e.GetString("LastRepairs"),
    };
}
