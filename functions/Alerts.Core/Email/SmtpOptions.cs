namespace Alerts.Core.Email;

/// <summary>How the app reaches its SMTP relay (ACS, SendGrid, a local test server) and who the mail is from.</summary>
public sealed class SmtpOptions
{
    public const string Section = "Smtp";

    public string Host { get; set; } = "localhost";

    public int Port { get; set; } = 25;

    /// <summary>Empty means no authentication (local relays and test servers).</summary>
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    /// <summary>"None", "StartTls" (587), "SslOnConnect" (465) or "Auto" (MailKit picks from the port).</summary>
    public string Security { get; set; } = "Auto";

    public string FromAddress { get; set; } = "alerts@localhost";

    public string FromName { get; set; } = "Alerts";

    /// <summary>Domain part of the <c>List-Id</c> and <c>Message-ID</c> headers; defaults to the From domain.</summary>
    public string ListIdDomain { get; set; } = "";

    /// <summary>Optional mailbox for the <c>mailto:</c> alternative in <c>List-Unsubscribe</c> (RFC 8058 requires the HTTPS one only).</summary>
    public string UnsubscribeMailbox { get; set; } = "";

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public string EffectiveListIdDomain =>
        ListIdDomain is { Length: > 0 } domain ? domain
        : FromAddress.LastIndexOf('@') is var at and >= 0 && at < FromAddress.Length - 1 ? FromAddress[(at + 1)..]
        : "localhost";
}
