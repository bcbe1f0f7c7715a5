using Alerts.Core.Email;
using Alerts.Core.Storage;
using Alerts.Core.Web;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

/// <summary>"Email me a link to my alerts" from the subscribe page, as queued by the answer path.</summary>
public sealed record ManageLinkRequest(string Email);

/// <summary>
/// The second half of "email me a link to my alerts": runs from the <c>manage-link-request</c> queue after the page
/// answered, so whether the address has alerts changes neither the answer nor its timing (no address probing).
/// </summary>
public sealed class ManageLinkSender(
    SubscriptionStore store,
    SubscriptionLinks links,
    IEmailSender email,
    IOptions<SiteOptions> site,
    EmailWriter writer,
    SubscribeRateLimiter limiter,
    ILogger<ManageLinkSender> logger,
    SendRateLimiter? sendRate = null)
{
    /// <summary>
    /// Sends a manage link when the address has a confirmed alert (active, paused or stopped: the manage page can
    /// resume a stopped one). Queues deliver at least once: a redelivered request sends the link again, within the
    /// address's daily limit of emails sent on request, which keeps a retry storm from flooding the mailbox.
    /// </summary>
    public async Task SendAsync(ManageLinkRequest request, CancellationToken cancellationToken = default)
    {
        if (!EmailAddress.IsValid(request.Email))
        {
            // The endpoint queues only valid addresses; a message that is not one was not written by us.
            logger.LogWarning("Invalid manage link request in the queue; dropped");
            return;
        }
        var anchor = (await store.ListByEmailAsync(request.Email, cancellationToken))
            .Where(s => s.Status != SubscriptionStatus.Pending)
            .OrderBy(s => s.Status == SubscriptionStatus.Unsubscribed)
            .ThenBy(s => s.CreatedAt)
            .FirstOrDefault();
        if (anchor is null)
        {
            logger.LogInformation("Manage link requested for an address with no confirmed alerts; nothing sent");
            return;
        }
        // As for confirmations: the provider's rate first, waiting in the queue, before the address's daily limit counts it.
        if (sendRate is not null && !await sendRate.TakeOrRequeueAsync(QueueNames.ManageLinkRequest, request, cancellationToken))
            return; // SendRateLimiter logs the wait
        if (!await limiter.AllowAddressAsync(anchor.Email, cancellationToken))
        {
            logger.LogWarning("Emails to the address of subscription {SubscriptionId} are over today's limit; no manage link sent", anchor.Id);
            return;
        }
        await email.SendAsync(await ManageEmails.RequestedManageLinkAsync(writer, anchor.Email, links.Manage(anchor.Id), site.Value), cancellationToken);
        logger.LogInformation("Manage link sent on request for the address of subscription {SubscriptionId}", anchor.Id);
    }
}
