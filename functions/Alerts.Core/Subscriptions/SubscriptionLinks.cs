using Alerts.Core.Web;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

/// <summary>The signed URLs that go into emails.</summary>
public sealed class SubscriptionLinks(SubscriptionTokens tokens, IOptions<SiteOptions> site)
{
    public SubscriptionTokens Tokens => tokens;

    public string Confirm(string subscriptionId) =>
        site.Value.Url("confirm?token=" + tokens.Create(subscriptionId, TokenPurpose.Confirm));

    /// <summary>The RFC 8058 one-click target: GET shows a button, POST unsubscribes.</summary>
    public string Unsubscribe(string subscriptionId) =>
        site.Value.Url("unsubscribe?token=" + tokens.Create(subscriptionId, TokenPurpose.Unsubscribe));

    /// <summary>
    /// The one-click target of a grouped digest: its token names the email's send record (the lead subscription and
    /// the digest key), so a POST stops every alert that email carried, not only the first (issue 15).
    /// </summary>
    public string UnsubscribeEmail(string leadId, string digestKey) =>
        site.Value.Url("unsubscribe?token=" + tokens.Create(EmailUnsubscribe.Subject(leadId, digestKey), TokenPurpose.Unsubscribe));

    public string Manage(string subscriptionId) =>
        site.Value.Url("manage?token=" + tokens.Create(subscriptionId, TokenPurpose.Manage));

    /// <summary>Confirms erasing every subscription of the address; sent only to that address.</summary>
    public string DeleteAll(string subscriptionId) =>
        site.Value.Url(Routes.ManageDelete + "?token=" + tokens.Create(subscriptionId, TokenPurpose.DeleteAll));

    public string Subscribe() => site.Value.Url("subscribe");
}
