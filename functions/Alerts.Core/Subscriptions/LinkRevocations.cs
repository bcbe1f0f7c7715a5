using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// "Revoke all my links": one row per address in the address index's own partition (table <c>SubscriptionsByAddress</c>,
/// PartitionKey = the address hash, RowKey = <see cref="Row"/>) holding when the address last revoked its links.
/// Every signed link carries when it was made (<see cref="SignedToken.IssuedAt"/>), so a link made before that time
/// is refused and every link made after it (the fresh manage link we email, later digests) works: rotating the
/// address's generation needs no change to whoever makes links. A check is one point read; an address that never
/// revoked has no row, and its links from before tokens carried an issue time keep working until it does. Times are
/// whole seconds (as in the token): a link made in the very second of the revocation still works, which is what lets
/// the fresh link emailed in that second work.
/// </summary>
public sealed class LinkRevocations(AlertsStorage storage)
{
    /// <summary>Not a subscription id (those are 32 hex characters), so index readers and the repair job skip it.</summary>
    public const string Row = "links-revoked";

    private TableClient Table => storage.Table(TableNames.SubscriptionsByAddress);

    public async Task<bool> IsCurrentAsync(string email, SignedToken token, CancellationToken cancellationToken = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(SubscriptionStore.AddressKey(email), Row, ["RevokedAt"], cancellationToken);
        if (!response.HasValue || response.Value!.GetInt64("RevokedAt") is not { } revoked)
            return true;
        return token.IssuedAt is { } issued && issued.ToUnixTimeSeconds() >= revoked;
    }

    /// <summary>Refuses every link of the address made before <paramref name="at"/>.</summary>
    public Task RevokeAsync(string email, DateTimeOffset at, CancellationToken cancellationToken = default) =>
        Table.UpsertEntityAsync(new TableEntity(SubscriptionStore.AddressKey(email), Row) { ["RevokedAt"] = at.ToUnixTimeSeconds() },
            TableUpdateMode.Replace, cancellationToken);

    /// <summary>Part of "delete all my data": with the subscriptions gone no old link can work anyway.</summary>
    public async Task DeleteAsync(string email, CancellationToken cancellationToken = default)
    {
        try
        {
            await Table.DeleteEntityAsync(SubscriptionStore.AddressKey(email), Row, ETag.All, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // Never revoked, or already deleted.
        }
    }
}
