using System.Text.Json;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Matching;

/// <summary>Matches in Table Storage: PartitionKey = subscription id, RowKey = article id. One row per pair, ever.</summary>
public sealed class MatchStore(AlertsStorage storage)
{
    private TableClient Table => storage.Table(TableNames.Matches);

    /// <summary>Records the match unless it is already recorded (a redelivered message). True when new.</summary>
    public async Task<bool> TryAddAsync(MatchRecord match, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.AddEntityAsync(ToEntity(match), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
            return false;
        }
    }

    /// <summary>One subscription's match of one article, or null: a point read.</summary>
    public async Task<MatchRecord?> GetAsync(string subscriptionId, string articleId, CancellationToken cancellationToken = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(subscriptionId, articleId, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<MatchRecord>> ListPendingAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {subscriptionId} and Delivered eq {false}");
        var list = new List<MatchRecord>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            list.Add(FromEntity(entity));
        return list;
    }

    /// <summary>Pending matches recorded before <paramref name="before"/>, across subscriptions (the delivery sweep).</summary>
    public async Task<IReadOnlyList<MatchRecord>> ListPendingBeforeAsync(DateTimeOffset before, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"Delivered eq {false} and MatchedAt lt {before}");
        var list = new List<MatchRecord>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            list.Add(FromEntity(entity));
        return list;
    }

    public async Task<IReadOnlyList<MatchRecord>> ListAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {subscriptionId}");
        var list = new List<MatchRecord>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            list.Add(FromEntity(entity));
        return list;
    }

    /// <summary>Marks the given matches as carried by <paramref name="digestKey"/>, in batches of one partition.</summary>
    public async Task MarkDeliveredAsync(
        string subscriptionId, IEnumerable<string> articleIds, string digestKey, CancellationToken cancellationToken = default)
    {
        foreach (var chunk in articleIds.Distinct().Chunk(100))
        {
            var actions = chunk.Select(articleId => new TableTransactionAction(
                TableTransactionActionType.UpdateMerge,
                new TableEntity(subscriptionId, articleId) { ["Delivered"] = true, ["DeliveredIn"] = digestKey },
                ETag.All)).ToList();
            await Table.SubmitTransactionAsync(actions, cancellationToken);
        }
    }

    /// <summary>Removes matches that should never have been recorded (see <see cref="Digests.LateMatches"/>); absent rows are fine.</summary>
    public async Task DeleteAsync(string subscriptionId, IEnumerable<string> articleIds, CancellationToken cancellationToken = default)
    {
        foreach (var articleId in articleIds.Distinct())
        {
            try
            {
                await Table.DeleteEntityAsync(subscriptionId, articleId, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Removed by a concurrent freeze of the same digest.
            }
        }
    }

    private static TableEntity ToEntity(MatchRecord m) => new(m.SubscriptionId, m.ArticleId)
    {
        ["MatchedAt"] = m.MatchedAt,
        ["ArticleFirstSeenAt"] = m.ArticleFirstSeenAt,
        ["Hits"] = JsonSerializer.Serialize(m.Hits.Select(h => new[] { (int)h.Field, h.Start, h.Length })),
        ["Delivered"] = m.DeliveredIn is not null,
        ["DeliveredIn"] = m.DeliveredIn,
    };

    private static MatchRecord FromEntity(TableEntity e)
    {
        var hits = JsonSerializer.Deserialize<int[][]>(e.GetString("Hits") ?? "[]") ?? [];
        return new MatchRecord(
            e.PartitionKey,
            e.RowKey,
            e.GetDateTimeOffset("MatchedAt") ?? DateTimeOffset.MinValue,
            hits.Where(h => h.Length == 3).Select(h => new Hit((DocumentField)h[0], h[1], h[2])).ToList(),
            e.GetString("DeliveredIn"),
            e.GetDateTimeOffset("ArticleFirstSeenAt"));
    }
}
