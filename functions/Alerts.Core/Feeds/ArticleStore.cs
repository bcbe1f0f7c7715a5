using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Feeds;

/// <summary>Articles in Table Storage: PartitionKey = feed id, RowKey = item key.</summary>
public sealed class ArticleStore(AlertsStorage storage)
{
    // Table string properties hold at most 64 KiB (32K UTF-16 chars); keep well inside it.
    private const int MaxContentChars = 30_000;
    private const int MaxSummaryChars = 4_000;

    private TableClient Table => storage.Table(TableNames.Articles);

    /// <summary>Inserts the article unless one with the same key exists. True when it is new.</summary>
    public async Task<bool> TryAddAsync(Article article, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.AddEntityAsync(ToEntity(article), cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.IsAlreadyExists())
        {
            return false;
        }
    }

    public async Task<Article?> GetAsync(string articleId, CancellationToken cancellationToken = default)
    {
        var (feedId, itemKey) = ArticleId.Split(articleId);
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(feedId, itemKey, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async Task<IReadOnlyList<Article>> GetManyAsync(IEnumerable<string> articleIds, CancellationToken cancellationToken = default)
    {
        var tasks = articleIds.Select(id => GetAsync(id, cancellationToken));
        var found = await Task.WhenAll(tasks);
        return found.OfType<Article>().ToList();
    }

    /// <summary>Articles first seen at or after <paramref name="since"/>, across all feeds.</summary>
    public async IAsyncEnumerable<Article> ListSeenSinceAsync(
        DateTimeOffset since, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"FirstSeenAt ge {since}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    public async IAsyncEnumerable<Article> ListByFeedAsync(
        string feedId, [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {feedId}");
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    /// <summary>
    /// Which of these item keys of a feed are stored, with their title and first-seen time (nothing else is read),
    /// in one query per 50 keys.
    /// </summary>
    public async Task<IReadOnlyDictionary<string, Article>> GetKnownAsync(string feedId, IReadOnlyList<string> itemKeys, CancellationToken cancellationToken = default)
    {
        var known = new Dictionary<string, Article>(StringComparer.Ordinal);
        foreach (var chunk in itemKeys.Chunk(50))
        {
            var filter = TableClient.CreateQueryFilter($"PartitionKey eq {feedId}") + " and ("
                + string.Join(" or ", chunk.Select(key => TableClient.CreateQueryFilter($"RowKey eq {key}"))) + ")";
            await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey", "Title", "FirstSeenAt"], cancellationToken: cancellationToken))
                known[entity.RowKey] = FromEntity(entity);
        }
        return known;
    }

    /// <summary>Deletes every article of a feed (its partition) in batches of 100. Returns how many went.</summary>
    public async Task<int> DeleteByFeedAsync(string feedId, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {feedId}");
        var keys = new List<string>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            keys.Add(entity.RowKey);
        foreach (var chunk in keys.Chunk(100))
            await Table.SubmitTransactionAsync(
                chunk.Select(rowKey => new TableTransactionAction(TableTransactionActionType.Delete, new TableEntity(feedId, rowKey), ETag.All)),
                cancellationToken);
        return keys.Count;
    }

    private static TableEntity ToEntity(Article a) => new(a.FeedId, a.ItemKey)
    {
        ["Title"] = Truncate(a.Title, MaxSummaryChars),
        ["Link"] = a.Link,
        ["Summary"] = Truncate(a.Summary, MaxSummaryChars),
        ["Content"] = Truncate(a.Content, MaxContentChars),
        ["PublishedAt"] = a.PublishedAt,
        ["FirstSeenAt"] = a.FirstSeenAt,
        ["FeedTitle"] = a.FeedTitle,
        ["Site"] = a.Site,
        ["Author"] = Truncate(a.Author, 500),
        ["AuthorEmail"] = a.AuthorEmail,
    };

    private static Article FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.RowKey,
        e.GetString("Title") ?? "",
        e.GetString("Link") ?? "",
        e.GetString("Summary") ?? "",
        e.GetString("Content") ?? "",
        e.GetDateTimeOffset("PublishedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("FirstSeenAt") ?? DateTimeOffset.MinValue,
        e.GetString("FeedTitle") ?? "",
        e.GetString("Site") ?? "")
    {
        Author = e.GetString("Author") ?? "",
        AuthorEmail = e.GetString("AuthorEmail"),
    };

    // Never between the two halves of a surrogate pair (an emoji in a long page's text): a lone half is not valid text.
    private static string Truncate(string text, int max) =>
        text.Length <= max ? text : text[..(char.IsHighSurrogate(text[max - 1]) ? max - 1 : max)];
}
