namespace Alerts.Core.Subscriptions;

/// <summary>
/// What an unsubscribe token names: one subscription (<c>{id}</c>, the footer's per-alert links and every one-alert
/// email) or one sent email (<c>{leadId}:{digestKey}</c>, the List-Unsubscribe of a grouped digest, whose Digests row
/// lists the alerts the email carried). The signature covers it either way.
/// </summary>
public static class EmailUnsubscribe
{
    public static string Subject(string leadId, string digestKey) => leadId + ":" + digestKey;

    /// <summary>The subscription the token is anchored to (the lead for an email), and the digest key for an email's token.</summary>
    public static (string SubscriptionId, string? DigestKey) Parse(string subject) =>
        subject.IndexOf(':') is var colon and > 0 ? (subject[..colon], subject[(colon + 1)..]) : (subject, null);
}
