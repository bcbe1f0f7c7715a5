using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// Subscriptions in Table Storage: PartitionKey = subscription id, RowKey = "subscription". Beside them, an index by
/// address (table <c>SubscriptionsByAddress</c>: PartitionKey = SHA-256 of the normalised address, RowKey =
/// subscription id), so that a subscribe request or a manage page reads one partition instead of scanning every
/// subscription. The same write path keeps both: the index row is written before the subscription and removed after
/// it, so a crash in between leaves at most an index row whose subscription is missing, which readers skip and
/// <see cref="RebuildAddressIndexAsync"/> removes. An address's partition may also hold its
/// <see cref="LinkRevocations"/> row, whose key is not a subscription id.
/// </summary>
public sealed class SubscriptionStore(AlertsStorage storage)
{
    private const string Row = "subscription";

    private readonly SubscriptionChangeLog _changes = new(storage);

    // Kept in step by this write path, before the row (like the change log): see DigestDueIndex.
    private readonly Digests.DigestDueIndex _due = new(storage);

    // Unconfirmed subscriptions by creation minute, so the snapshot writer can expire them without a scan.
    private readonly PendingExpiryIndex _pending = new(storage);

    /// <summary>The address's "revoke all my links" time, kept in its partition of the address index.</summary>
    public LinkRevocations Revocations { get; } = new(storage);

    private TableClient Table => storage.Table(TableNames.Subscriptions);
    private TableClient ByAddress => storage.Table(TableNames.SubscriptionsByAddress);

    public async Task AddAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        await _changes.RecordAsync(subscription.Id, cancellationToken);
        await IndexAsync(subscription, cancellationToken);
        await _due.FileAsync(subscription, cancellationToken);
        await _pending.FileAsync(subscription, cancellationToken);
        await Table.AddEntityAsync(ToEntity(subscription), cancellationToken);
    }

    public async Task UpsertAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        await _changes.RecordAsync(subscription.Id, cancellationToken);
        await IndexAsync(subscription, cancellationToken);
        await _due.FileAsync(subscription, cancellationToken);
        await _pending.FileAsync(subscription, cancellationToken);
        await Table.UpsertEntityAsync(ToEntity(subscription), TableUpdateMode.Replace, cancellationToken);
    }

    /// <summary>The index partition of an address: a hash, so the key reveals no address.</summary>
    public static string AddressKey(string email) =>
        Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(EmailAddress.Normalize(email))));

    private Task IndexAsync(Subscription subscription, CancellationToken cancellationToken) =>
        ByAddress.UpsertEntityAsync(new TableEntity(AddressKey(subscription.Email), subscription.Id), TableUpdateMode.Replace, cancellationToken);

    /// <summary>
    /// Repair job: adds the index row of every subscription and removes index rows whose subscription is gone.
    /// Run it once after deploying the index onto existing data, and whenever the two may have drifted. It also files
    /// unconfirmed subscriptions in the <see cref="PendingExpiryIndex"/>, so those stored before it expire too.
    /// Returns (added or refreshed, removed).
    /// </summary>
    public async Task<(int Indexed, int Removed)> RebuildAddressIndexAsync(CancellationToken cancellationToken = default)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        var indexed = 0;
        await foreach (var entity in Table.QueryAsync<TableEntity>(select: ["PartitionKey", "Email", "Status", "CreatedAt"], cancellationToken: cancellationToken))
        {
            ids.Add(entity.PartitionKey);
            if (entity.GetString("Status") == nameof(SubscriptionStatus.Pending))
                await _pending.FileAsync(new Subscription(entity.PartitionKey, "", "", Frequency.Daily, SubscriptionStatus.Pending,
                    entity.GetDateTimeOffset("CreatedAt") ?? DateTimeOffset.UnixEpoch), cancellationToken);
            await ByAddress.UpsertEntityAsync(new TableEntity(AddressKey(entity.GetString("Email") ?? ""), entity.PartitionKey), TableUpdateMode.Replace, cancellationToken);
            indexed++;
        }
        var removed = 0;
        await foreach (var row in ByAddress.QueryAsync<TableEntity>(select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            // Rows that are not subscription ids (the address's LinkRevocations row) are not index rows.
            if (ids.Contains(row.RowKey) || !IsValidId(row.RowKey))
                continue;
            await ByAddress.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            removed++;
        }
        return (indexed, removed);
    }

    /// <summary>
    /// The one "unsubscribe from all": every given subscription that is not already unsubscribed is stored as
    /// unsubscribed (the unsubscribe page and the manage page both come here). Returns the ones it changed.
    /// </summary>
    public async Task<IReadOnlyList<Subscription>> UnsubscribeAllAsync(IEnumerable<Subscription> subscriptions, CancellationToken cancellationToken = default)
    {
        var changed = new List<Subscription>();
        foreach (var s in subscriptions.Where(s => s.Status != SubscriptionStatus.Unsubscribed))
        {
            var unsubscribed = s with { Status = SubscriptionStatus.Unsubscribed };
            await UpsertAsync(unsubscribed, cancellationToken);
            changed.Add(unsubscribed);
        }
        return changed;
    }

    /// <summary>
    /// Records when the subscription's last digest went out, merging only that property: replacing the whole row could
    /// undo an unsubscribe that landed while the digest was being sent. False when the subscription is gone.
    /// </summary>
    public async Task<bool> RecordDigestSentAsync(string id, DateTimeOffset sentAt, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.UpdateEntityAsync(new TableEntity(id, Row) { ["LastDigestAt"] = sentAt }, ETag.All, TableUpdateMode.Merge, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            return false;
        }
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

    /// <summary>Every subscription of the address: one partition of the address index, then a point read per subscription.</summary>
    public async Task<IReadOnlyList<Subscription>> ListByEmailAsync(string email, CancellationToken cancellationToken = default)
    {
        var normalized = EmailAddress.Normalize(email);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {AddressKey(normalized)}");
        var list = new List<Subscription>();
        await foreach (var row in ByAddress.QueryAsync<TableEntity>(filter, select: ["RowKey"], cancellationToken: cancellationToken))
            // A missing subscription is a crash between the two writes (or a delete in flight): skip it.
            if (await GetAsync(row.RowKey, cancellationToken) is { } subscription && subscription.Email == normalized)
                list.Add(subscription);
        return list.OrderBy(s => s.Id, StringComparer.Ordinal).ToList();
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
    public async Task DeleteAsync(Subscription subscription, CancellationToken cancellationToken = default)
    {
        await _changes.RecordAsync(subscription.Id, cancellationToken);
        await Table.DeleteEntityAsync(subscription.Id, Row, ETag.All, cancellationToken);
        try
        {
            await ByAddress.DeleteEntityAsync(AddressKey(subscription.Email), subscription.Id, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // A retried delete: the index row went with the first attempt.
        }
    }
}
