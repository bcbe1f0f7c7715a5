using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Azure;
using Azure.Data.Tables;

namespace Alerts.Core.Email;

/// <summary>What the relay said about one address: permanent refusals so far, and whether it is suppressed.</summary>
public sealed record AddressBounces(string Address, int HardBounces, DateTimeOffset? LastBounceAt, string? LastReply, bool Suppressed);

/// <summary>Sending as a whole: failing since when, and whether the admins were told.</summary>
public sealed record SendingState(DateTimeOffset? FailingSince, DateTimeOffset? LastFailureAt, string? LastError, DateTimeOffset? OutageNoticeSentAt, ETag ETag);

/// <summary>
/// The Deliveries table: PartitionKey "bounce" with RowKey = hash of the normalised address (a point read per email),
/// and one row ("sending", "state") for the outage state every instance shares.
/// </summary>
public sealed class DeliveryStore(AlertsStorage storage)
{
    private const string BouncePartition = "bounce";
    private const string SendingPartition = "sending";
    private const string SendingRow = "state";

    private TableClient Table => storage.Table(TableNames.Deliveries);

    private static string Key(string address) => TableKeys.Hash(EmailAddress.Normalize(address));

    public async Task<AddressBounces?> GetBouncesAsync(string address, CancellationToken cancellationToken = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(BouncePartition, Key(address), cancellationToken: cancellationToken);
        return response.HasValue ? FromEntity(response.Value!) : null;
    }

    /// <summary>Counts one permanent refusal; the address is suppressed once <paramref name="suppressAfter"/> are counted.</summary>
    public async Task<AddressBounces> RecordHardBounceAsync(
        string address, string reply, DateTimeOffset now, int suppressAfter, CancellationToken cancellationToken = default)
    {
        while (true)
        {
            var response = await Table.GetEntityIfExistsAsync<TableEntity>(BouncePartition, Key(address), cancellationToken: cancellationToken);
            var count = (response.HasValue ? response.Value!.GetInt32("HardBounces") ?? 0 : 0) + 1;
            var entity = new TableEntity(BouncePartition, Key(address))
            {
                ["Address"] = EmailAddress.Normalize(address),
                ["HardBounces"] = count,
                ["LastBounceAt"] = now,
                ["LastReply"] = reply.Length > 500 ? reply[..500] : reply,
                ["Suppressed"] = count >= suppressAfter,
            };
            try
            {
                // Conditional, so two workers' bounces both count.
                if (response.HasValue)
                    await Table.UpdateEntityAsync(entity, response.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                else
                    await Table.AddEntityAsync(entity, cancellationToken);
                return FromEntity(entity);
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
            }
        }
    }

    /// <summary>A successful delivery clears the count: bounces must be repeated, not spread over months.</summary>
    public async Task ClearBouncesAsync(string address, CancellationToken cancellationToken = default) =>
        await Table.DeleteEntityAsync(BouncePartition, Key(address), ETag.All, cancellationToken);

    public async Task<SendingState?> GetSendingAsync(CancellationToken cancellationToken = default)
    {
        var response = await Table.GetEntityIfExistsAsync<TableEntity>(SendingPartition, SendingRow, cancellationToken: cancellationToken);
        if (!response.HasValue)
            return null;
        var e = response.Value!;
        return new SendingState(e.GetDateTimeOffset("FailingSince"), e.GetDateTimeOffset("LastFailureAt"), e.GetString("LastError"),
            e.GetDateTimeOffset("OutageNoticeSentAt"), e.ETag);
    }

    /// <summary>Writes the state if the row is still as read (<paramref name="current"/> null: absent). False when another worker got there first.</summary>
    public async Task<bool> TrySetSendingAsync(SendingState? current, SendingState next, CancellationToken cancellationToken = default)
    {
        var entity = new TableEntity(SendingPartition, SendingRow)
        {
            ["FailingSince"] = next.FailingSince,
            ["LastFailureAt"] = next.LastFailureAt,
            ["LastError"] = next.LastError is { Length: > 1000 } e ? e[..1000] : next.LastError,
            ["OutageNoticeSentAt"] = next.OutageNoticeSentAt,
        };
        try
        {
            if (current is null)
                await Table.AddEntityAsync(entity, cancellationToken);
            else
                await Table.UpdateEntityAsync(entity, current.ETag, TableUpdateMode.Replace, cancellationToken);
            return true;
        }
        catch (RequestFailedException ex) when (ex.Status is 404 or 409 or 412)
        {
            return false;
        }
    }

    /// <summary>An outage email that was claimed but could not be sent: the recovery report sends it instead.</summary>
    public async Task ResetOutageNoticeAsync(CancellationToken cancellationToken = default)
    {
        // A merge cannot clear a property (nulls are not sent), so the row is replaced without it, conditionally.
        for (var attempt = 0; attempt < 50; attempt++)
        {
            var current = await GetSendingAsync(cancellationToken);
            if (current?.OutageNoticeSentAt is null)
                return;
            if (await TrySetSendingAsync(current, current with { OutageNoticeSentAt = null }, cancellationToken))
                return;
        }
    }

    /// <summary>
    /// Marks sending healthy if the row is still as read: the one worker that succeeds reports the recovery. A replace
    /// (not a delete) so that the ETag race is decided the same way as every other write to the row.
    /// </summary>
    public async Task<bool> TryClearSendingAsync(SendingState current, CancellationToken cancellationToken = default) =>
        await TrySetSendingAsync(current, new SendingState(null, null, null, null, default), cancellationToken);

    private static AddressBounces FromEntity(TableEntity e) => new(
        e.GetString("Address") ?? "", e.GetInt32("HardBounces") ?? 0, e.GetDateTimeOffset("LastBounceAt"), e.GetString("LastReply"),
        e.GetBoolean("Suppressed") ?? false);
}
