using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Storage;
using Alerts.Core.Web;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

/// <summary>The address a manage link proves control of, and every subscription it holds.</summary>
/// <param name="Anchor">The subscription the link was issued for; it only identifies the address.</param>
public sealed record ManageContext(Subscription Anchor, IReadOnlyList<Subscription> Subscriptions)
{
    public string Email => Anchor.Email;

    /// <summary>A subscription of this address, or null: a link for one address never touches another's.</summary>
    public Subscription? Find(string? id) => Subscriptions.FirstOrDefault(s => s.Id == id);
}

/// <summary>Everything stored about one address, for "export my data".</summary>
/// <param name="Delivery">What the mail relay said about the address (hard bounces, suppression); null when nothing.</param>
public sealed record DataExport(string Email, DateTimeOffset ExportedAt, IReadOnlyList<SubscriptionExport> Subscriptions, AddressBounces? Delivery);

public sealed record SubscriptionExport(
    string Id, string Query, string? Label, string Frequency, string Status, string TimeZone, int DigestHour, string DigestDay,
    IReadOnlyList<string>? Sites, int? MaxItems, DateTimeOffset CreatedAt, DateTimeOffset? ConfirmedAt, DateTimeOffset? LastDigestAt,
    IReadOnlyList<DigestExport> Digests, IReadOnlyList<MatchExport> Matches);

/// <summary>One stored match: which article, when, and the email that carried it (null while waiting for a digest).</summary>
public sealed record MatchExport(string ArticleId, DateTimeOffset MatchedAt, string? DeliveredIn);

public sealed record DigestExport(string Key, string State, DateTimeOffset? SentAt, int ArticleCount);

/// <summary>
/// What the signed manage link allows: list, edit, pause, resume and unsubscribe any subscription of the same
/// address, export its data, and erase it all after a second confirmation by email.
/// </summary>
public sealed class ManageHandler(
    SubscriptionStore store,
    DigestStore digests,
    Matching.MatchStore matches,
    SubscriptionLinks links,
    AlertsStorage storage,
    IEmailSender email,
    IOptions<SiteOptions> site,
    EmailWriter writer,
    SubscribeRateLimiter limiter,
    TimeProvider time,
    ILogger<ManageHandler> logger,
    SendRateLimiter? sendRate = null)
{
    /// <summary>Null when the token is not a valid manage link or its subscription is gone.</summary>
    public async Task<ManageContext?> OpenAsync(string? token, CancellationToken cancellationToken = default) =>
        await OpenAsync(token, TokenPurpose.Manage, cancellationToken);

    public async Task<ManageContext?> OpenAsync(string? token, TokenPurpose purpose, CancellationToken cancellationToken = default)
    {
        if (links.Tokens.Read(token, purpose) is not { } signed
            || await store.GetAsync(signed.SubscriptionId, cancellationToken) is not { } anchor
            || !await store.Revocations.IsCurrentAsync(anchor.Email, signed, cancellationToken))
            return null;
        var all = (await store.ListByEmailAsync(anchor.Email, cancellationToken))
            .OrderBy(s => s.Status == SubscriptionStatus.Unsubscribed)
            .ThenBy(s => s.CreatedAt)
            .ToList();
        return new ManageContext(anchor, all);
    }

    /// <summary>Pause, resume (also re-activates an unsubscribed one: the link proves the address) or unsubscribe.</summary>
    public async Task<Subscription> SetStatusAsync(Subscription subscription, SubscriptionStatus status, CancellationToken cancellationToken = default)
    {
        if (subscription.Status == status)
            return subscription;
        var changed = subscription with
        {
            Status = status,
            ConfirmedAt = status == SubscriptionStatus.Active ? subscription.ConfirmedAt ?? time.GetUtcNow() : subscription.ConfirmedAt,
        };
        await store.UpsertAsync(changed, cancellationToken);
        logger.LogInformation("Subscription {SubscriptionId} changed from {From} to {To} from the manage page", subscription.Id, subscription.Status, status);
        return changed;
    }

    public async Task<Subscription> UpdateAsync(Subscription subscription, SubscribeRequest settings, CancellationToken cancellationToken = default)
    {
        var changed = settings.ApplyTo(subscription);
        await store.UpsertAsync(changed, cancellationToken);
        logger.LogInformation("Subscription {SubscriptionId} settings changed from the manage page", subscription.Id);
        return changed;
    }

    public async Task<int> UnsubscribeAllAsync(ManageContext context, CancellationToken cancellationToken = default)
    {
        var changed = await store.UnsubscribeAllAsync(context.Subscriptions, cancellationToken);
        foreach (var s in changed)
            logger.LogInformation("Subscription {SubscriptionId} changed to {To} from the manage page (all of the address)", s.Id, s.Status);
        return changed.Count;
    }

    /// <summary>
    /// Erasing is irreversible, so it needs a second link, sent to the address itself. Null when it was sent (or held
    /// back by the address's daily limit, which the page does not reveal); otherwise how long until the provider's
    /// send rate, shared with every other email, allows it: nothing was sent and the page asks to try again then.
    /// </summary>
    public async Task<TimeSpan?> RequestDeleteAllAsync(ManageContext context, CancellationToken cancellationToken = default)
    {
        // The provider's rate first, as for queued emails, so a wait costs none of the address's daily emails.
        if (sendRate is not null && await sendRate.TryTakeAsync(cancellationToken) is { } wait)
        {
            logger.LogInformation("Erase confirmation for the address of subscription {SubscriptionId} waits {Delay} for the send rate", context.Anchor.Id, wait);
            return wait;
        }
        if (!await limiter.AllowAddressAsync(context.Email, cancellationToken))
        {
            // The page answers as usual: a manage link must not become a way to flood its own address.
            logger.LogWarning("Emails to the address of subscription {SubscriptionId} are over today's limit; no erase confirmation sent", context.Anchor.Id);
            return null;
        }
        await email.SendAsync(await ManageEmails.DeleteConfirmationAsync(writer, context.Email, links.DeleteAll(context.Anchor.Id), site.Value), cancellationToken);
        logger.LogInformation("Erase confirmation sent for the address of subscription {SubscriptionId}", context.Anchor.Id);
        return null;
    }

    /// <summary>
    /// "Revoke all my links": every confirm, unsubscribe, manage and delete link of the address made until now stops
    /// working, and a fresh manage link goes to the address (within the provider's send rate and the address's daily
    /// limit of emails sent on request). Returns false when either held the email back; the links are revoked either
    /// way, since whoever asks may be shutting out someone who got hold of a forwarded link.
    /// </summary>
    public async Task<bool> RevokeLinksAsync(ManageContext context, CancellationToken cancellationToken = default)
    {
        await store.Revocations.RevokeAsync(context.Email, time.GetUtcNow(), cancellationToken);
        logger.LogInformation("Links revoked for the address of subscription {SubscriptionId}", context.Anchor.Id);
        if (sendRate is not null && await sendRate.TryTakeAsync(cancellationToken) is { } wait)
        {
            logger.LogInformation("Fresh manage link for the address of subscription {SubscriptionId} not sent: the send rate frees a token in {Delay}", context.Anchor.Id, wait);
            return false;
        }
        if (!await limiter.AllowAddressAsync(context.Email, cancellationToken))
        {
            logger.LogWarning("Emails to the address of subscription {SubscriptionId} are over today's limit; no fresh manage link sent", context.Anchor.Id);
            return false;
        }
        // Made after the revocation, so it carries a later issue time and works.
        await email.SendAsync(await ManageEmails.FreshManageLinkAsync(writer, context.Email, links.Manage(context.Anchor.Id), site.Value), cancellationToken);
        logger.LogInformation("Fresh manage link sent for the address of subscription {SubscriptionId}", context.Anchor.Id);
        return true;
    }

    /// <summary>Deletes every subscription of the address with its matches and digest history. Returns how many.</summary>
    public async Task<int> DeleteAllAsync(ManageContext context, CancellationToken cancellationToken = default)
    {
        foreach (var s in context.Subscriptions)
        {
            await DeletePartitionAsync(TableNames.Matches, s.Id, cancellationToken);
            await DeletePartitionAsync(TableNames.Digests, s.Id, cancellationToken);
            await store.DeleteAsync(s, cancellationToken);
        }
        await store.Revocations.DeleteAsync(context.Email, cancellationToken);
        try
        {
            await new DeliveryStore(storage).ClearBouncesAsync(context.Email, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No bounce was ever recorded for the address.
        }
        logger.LogInformation("Erased {Count} subscriptions of the address of subscription {SubscriptionId}", context.Subscriptions.Count, context.Anchor.Id);
        return context.Subscriptions.Count;
    }

    /// <summary>The address's bounce record (the manage page says when it is suppressed), or null when there is none.</summary>
    public async Task<AddressBounces?> DeliveryAsync(ManageContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await new DeliveryStore(storage).GetBouncesAsync(context.Email, cancellationToken);
        }
        catch (RequestFailedException ex) when (ex.Status == 404)
        {
            // No bounce was ever recorded, so the table may not exist yet.
            return null;
        }
    }

    public async Task<DataExport> ExportAsync(ManageContext context, CancellationToken cancellationToken = default)
    {
        var list = new List<SubscriptionExport>();
        foreach (var s in context.Subscriptions)
        {
            var history = (await digests.ListAsync(s.Id, cancellationToken))
                .OrderBy(d => d.ScheduledAt ?? d.FrozenAt)
                .Select(d => new DigestExport(d.DigestKey, d.State.ToString(), d.SentAt, d.ArticleIds?.Count ?? 0))
                .ToList();
            var matched = (await matches.ListAsync(s.Id, cancellationToken))
                .OrderBy(m => m.MatchedAt)
                .Select(m => new MatchExport(m.ArticleId, m.MatchedAt, m.DeliveredIn))
                .ToList();
            list.Add(new SubscriptionExport(
                s.Id, s.Query, s.Label, s.Frequency.ToString(), s.Status.ToString(), s.TimeZone, s.DigestHour, s.DigestDay.ToString(),
                s.Sites, s.MaxItems, s.CreatedAt, s.ConfirmedAt, s.LastDigestAt, history, matched));
        }
        var delivery = await new DeliveryStore(storage).GetBouncesAsync(context.Email, cancellationToken);
        return new DataExport(context.Email, time.GetUtcNow(), list, delivery);
    }

    private async Task DeletePartitionAsync(string table, string partitionKey, CancellationToken cancellationToken)
    {
        var client = storage.Table(table);
        var filter = TableClient.CreateQueryFilter($"PartitionKey eq {partitionKey}");
        await foreach (var row in client.QueryAsync<TableEntity>(filter, select: ["PartitionKey", "RowKey"], cancellationToken: cancellationToken))
        {
            try
            {
                await client.DeleteEntityAsync(row.PartitionKey, row.RowKey, ETag.All, cancellationToken);
            }
            catch (RequestFailedException ex) when (ex.Status == 404)
            {
                // Deleted concurrently; the goal is reached either way.
            }
        }
    }
}
