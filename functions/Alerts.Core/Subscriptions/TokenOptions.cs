namespace Alerts.Core.Subscriptions;

/// <summary>Keys for the signed links in emails. The links are the subscriber's only credential.</summary>
public sealed class TokenOptions
{
    public const string Section = "Tokens";

    /// <summary>HMAC-SHA256 key (any string of 32+ characters; in Azure a Key Vault reference).</summary>
    public string SigningKey { get; set; } = "";

    /// <summary>Keys still accepted after a rotation, comma-separated, so links already sent keep working.</summary>
    public string PreviousSigningKeys { get; set; } = "";

    public TimeSpan ConfirmationLifetime { get; set; } = TimeSpan.FromHours(48);

    /// <summary>Unsubscribe and manage links must keep working long after the email was sent.</summary>
    public TimeSpan LinkLifetime { get; set; } = TimeSpan.FromDays(365);
}
