namespace Alerts.Core.Digests;

/// <summary>
/// Queue <c>digest-send</c>: compose and send one email for one subscription. The key names the email
/// ("daily-2026-11-26", "instant-{articleId}") so that a redelivered message never sends a second, different email.
/// </summary>
public sealed record DigestSendMessage(string SubscriptionId, string DigestKey);
