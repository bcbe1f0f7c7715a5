using Alerts.Core.Email;
using Alerts.Core.Storage;
using Alerts.Core.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

/// <summary>Double opt-in: subscribe (pending + confirmation email), confirm, unsubscribe.</summary>
public sealed class SubscribeHandler(
    SubscriptionStore store,
    SubscriptionLinks links,
    IEmailSender email,
    IOptions<SiteOptions> site,
    EmailWriter writer,
    SubscribeRateLimiter limiter,
    TimeProvider time,
    ILogger<SubscribeHandler> logger,
    Digests.DigestStore digests,
    SendRateLimiter? sendRate = null)
{
    /// <summary>
    /// Stores a pending subscription and emails the confirmation link. An address that already follows the same
    /// query gets no new row and no email. Runs from the <c>subscribe-request</c> queue, after the HTTP answer, so the
    /// caller cannot tell the difference, not even by timing (no address probing). Queues deliver at least once: a
    /// redelivered request finds its pending row and sends the link again, within the address's daily limit.
    /// </summary>
    public async Task SubscribeAsync(SubscribeRequest request, CancellationToken cancellationToken = default)
    {
        // Validated again, not trusted: the queue is a boundary, and the endpoint's parse tree does not cross it.
        if (!request.Validate().IsValid)
        {
            // The endpoint queues only valid requests; a message that is not one was not written by us.
            logger.LogWarning("Invalid subscribe request in the queue; dropped");
            return;
        }
        var now = time.GetUtcNow();
        var draft = request.ToPendingSubscription(SubscriptionStore.NewId(), now);
        var existing = (await store.ListByEmailAsync(draft.Email, cancellationToken))
            .FirstOrDefault(s => s.Query == draft.Query && s.Status != SubscriptionStatus.Unsubscribed);

        if (existing is { Status: SubscriptionStatus.Active or SubscriptionStatus.Paused })
        {
            logger.LogInformation("Subscribe request for an existing subscription {SubscriptionId}; nothing sent", existing.Id);
            return;
        }

        // The provider's rate, shared with digests across instances: without a token the request waits in its queue (the
        // same message, hidden until a token should be free), before the address's daily limit counts it, so a wait
        // costs the address nothing and a confirmation is never poisoned by the provider's throttling.
        if (sendRate is not null && !await sendRate.TakeOrRequeueAsync(QueueNames.SubscribeRequest, request, cancellationToken))
            return; // SendRateLimiter logs the wait

        if (!await limiter.AllowAddressAsync(draft.Email, cancellationToken))
        {
            // Same silence as above: a flood of requests for one address must not become a flood of emails to it.
            logger.LogWarning("Confirmation emails for the address of subscription request {SubscriptionId} are over today's limit; nothing sent",
                existing?.Id ?? draft.Id);
            return;
        }

        // A second request while still pending replaces the draft's settings and re-sends the link.
        var subscription = existing is null ? draft : draft with { Id = existing.Id, CreatedAt = existing.CreatedAt };
        await store.UpsertAsync(subscription, cancellationToken);
        var message = await ConfirmationEmail.ComposeAsync(writer, subscription, links.Confirm(subscription.Id), site.Value);
        await email.SendAsync(message, cancellationToken);
        logger.LogInformation("Pending subscription {SubscriptionId} stored; confirmation sent", subscription.Id);
    }

    /// <summary>
    /// Activates the subscription the token names; null when the token is invalid, expired or already used. A
    /// confirm token works once: the page it opens carries a manage link, so a used (forwarded, leaked) confirmation
    /// email must not keep minting them.
    /// </summary>
    public async Task<Subscription?> ConfirmAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (await FindPendingAsync(token, cancellationToken) is not { } subscription)
            return null;
        subscription = subscription with { Status = SubscriptionStatus.Active, ConfirmedAt = time.GetUtcNow() };
        await store.UpsertAsync(subscription, cancellationToken);
        logger.LogInformation("Subscription {SubscriptionId} confirmed", subscription.Id);
        return subscription;
    }

    /// <summary>The pending subscription a confirm token names; null once it is confirmed (or gone).</summary>
    public async Task<Subscription?> FindPendingAsync(string? token, CancellationToken cancellationToken = default) =>
        await FindAsync(token, TokenPurpose.Confirm, cancellationToken) is { Status: SubscriptionStatus.Pending } pending ? pending : null;

    /// <summary>
    /// Stops what the token names: its subscription, or for a grouped digest's List-Unsubscribe every alert that
    /// email carried (read from the lead's Digests row). Returns the token's subscription (the lead for an email).
    /// </summary>
    public async Task<Subscription?> UnsubscribeAsync(string? token, CancellationToken cancellationToken = default)
    {
        if (await FindAsync(token, TokenPurpose.Unsubscribe, cancellationToken) is not { } subscription)
            return null;
        var ids = new List<string> { subscription.Id };
        if (EmailUnsubscribe.Parse(links.Tokens.Read(token, TokenPurpose.Unsubscribe)!.SubscriptionId) is (_, { } digestKey)
            && await digests.GetAsync(subscription.Id, digestKey, cancellationToken) is { } sent)
            ids.AddRange((sent.SentMembers ?? sent.Members ?? []).Where(id => id != subscription.Id));
        var lead = subscription;
        foreach (var id in ids)
        {
            // Only alerts of the address the email went to: the row lists the lead's own group, checked anyway.
            var member = id == lead.Id ? lead : await store.GetAsync(id, cancellationToken);
            if (member is null || !string.Equals(member.Email, lead.Email, StringComparison.OrdinalIgnoreCase))
                continue;
            if (member.Status != SubscriptionStatus.Unsubscribed)
            {
                member = member with { Status = SubscriptionStatus.Unsubscribed };
                await store.UpsertAsync(member, cancellationToken);
                logger.LogInformation("Subscription {SubscriptionId} unsubscribed", member.Id);
            }
            if (id == lead.Id)
                subscription = member;
        }
        return subscription;
    }

    /// <summary>Stops every alert of the address (from the unsubscribe page, reached by a link sent to it). Returns how many.</summary>
    public async Task<int> UnsubscribeAllAsync(string email, CancellationToken cancellationToken = default)
    {
        var changed = await store.UnsubscribeAllAsync(await store.ListByEmailAsync(email, cancellationToken), cancellationToken);
        foreach (var s in changed)
            logger.LogInformation("Subscription {SubscriptionId} unsubscribed (all of the address)", s.Id);
        return changed.Count;
    }

    /// <summary>The subscription a valid, unrevoked token names; null otherwise.</summary>
    public async Task<Subscription?> FindAsync(string? token, TokenPurpose purpose, CancellationToken cancellationToken = default) =>
        links.Tokens.Read(token, purpose) is { } signed
            && await store.GetAsync(EmailUnsubscribe.Parse(signed.SubscriptionId).SubscriptionId, cancellationToken) is { } subscription
            && await store.Revocations.IsCurrentAsync(subscription.Email, signed, cancellationToken)
            ? subscription
            : null;
}
