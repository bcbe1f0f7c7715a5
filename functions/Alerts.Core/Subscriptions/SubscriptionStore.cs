using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Subscriptions;

/// <summary>Subscriptions in Table Storage: PartitionKey = subscription id, RowKey = "subscription".</summary>
public sealed class SubscriptionStore(AlertsStorage storage)
{
    private const string Row = "subscription";

    private readonly SubscriptionChangeLog _changes = new(storage);

    // Kept in step by this write path, before the row (like the change log): see DigestDueIndex.
    private readonly Digests.DigestDueIndex _due = new(storage);

    private TableClient Table => storage.Table(TableNames.Subscriptions);

    public async Task AddAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        await _changes.RecordAsync(subscription.Id, cancellationToken);
        await _due.FileAsync(subscription, cancellationToken);
        await Table.AddEntityAsync(ToEntity(subscription), cancellationToken);
    }

    public async Task UpsertAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        await _changes.RecordAsync(subscription.Id, cancellationToken);
        await _due.FileAsync(subscription, cancellationToken);
        await Table.UpsertEntityAsync(ToEntity(subscription), TableUpdateMode.Replace, cancellationToken);
    }

    public async Task<Subscription?> GetAsync(string id, CancellationToken cancellationToken = default)
    {
        if (!IsValidId(id))
            return null;
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(id, Row, cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    public async IAsyncEnumerable<Subscription> ListAsync(
        SubscriptionStatus? status = null,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var filter = status is { } s ? TableClient.CreateQueryFilter($"Status eq {s.ToString()}") : null;
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            yield return FromEntity(entity);
    }

    public async Task<IReadOnlyList<Subscription>> ListByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        var filter = TableClient.CreateQueryFilter($"Email eq {EmailAddress.Normalize(email)}");
        var list = new List<Subscription>();
        await foreach (var entity in Table.QueryAsync<TableEntity>(filter, cancellationToken: cancellationToken))
            list.Add(FromEntity(entity));
        return list;
    }

    /// <summary>Ids are 32 hex characters (Guid "N"); anything else cannot be a key and is refused early.</summary>
    public static bool IsValidId(string id) => id.Length == 32 && id.All(char.IsAsciiHexDigitLower);

    public static string NewId() => Guid.NewGuid().ToString("N");

    private static TableEntity ToEntity(Subscription s) => new(s.Id, Row)
    {
        ["Email"] = EmailAddress.Normalize(s.Email),
        ["Query"] = s.Query,
        ["Frequency"] = s.Frequency.ToString(),
        ["Status"] = s.Status.ToString(),
        ["CreatedAt"] = s.CreatedAt,
        ["ConfirmedAt"] = s.ConfirmedAt,
        ["TimeZone"] = s.TimeZone,
        ["DigestHour"] = s.DigestHour,
        ["DigestDay"] = s.DigestDay.ToString(),
        ["Label"] = s.Label,
        ["LastDigestAt"] = s.LastDigestAt,
        ["Sites"] = s.Sites is { Count: > 0 } sites ? string.Join(',', sites) : null,
        ["MaxItems"] = s.MaxItems,
    };

    private static Subscription FromEntity(TableEntity e) => new(
        e.PartitionKey,
        e.GetString("Email") ?? "",
        e.GetString("Query") ?? "",
        Enum.Parse<Frequency>(e.GetString("Frequency") ?? nameof(Frequency.Daily)),
        Enum.Parse<SubscriptionStatus>(e.GetString("Status") ?? nameof(SubscriptionStatus.Pending)),
        e.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.MinValue,
        e.GetDateTimeOffset("ConfirmedAt"),
        e.GetString("TimeZone") ?? "UTC",
        e.GetInt32("DigestHour") ?? 8,
        Enum.TryParse<DayOfWeek>(e.GetString("DigestDay"), out var day) ? day : DayOfWeek.Monday,
        e.GetString("Label"),
        e.GetDateTimeOffset("LastDigestAt"),
        e.GetString("Sites") is { Length: > 0 } sites ? sites.Split(',') : null,
        e.GetInt32("MaxItems"));

    /// <summary>Removes the row for good (the subscriber asked to delete their data).</summary>
    public async Task DeleteAsync(string id, CancellationToken cancellationToken = default)
    {
        await _changes.RecordAsync(id, cancellationToken);
        await Table.DeleteEntityAsync(id, Row, ETag.All, cancellationToken);
    }
}
