namespace Alerts.Core.Email;

/// <summary>
/// The IMAP mailbox behind the <c>mailto:</c> in <c>List-Unsubscribe</c> (<see cref="SmtpOptions.UnsubscribeMailbox"/>
/// is its address). An empty <see cref="ImapHost"/> turns the feature off: nothing reads the mailbox and digests carry
/// only the HTTPS link, so no subscriber is offered an unsubscribe that nobody processes.
/// </summary>
public sealed class UnsubscribeMailboxOptions
{
    public const string Section = "UnsubscribeMailbox";

    public string ImapHost { get; set; } = "";

    public int ImapPort { get; set; } = 993;

    /// <summary>"None", "StartTls" (143), "SslOnConnect" (993) or "Auto" (MailKit picks from the port).</summary>
    public string Security { get; set; } = "Auto";

    /// <summary>Empty means no authentication (local test servers).</summary>
    public string UserName { get; set; } = "";

    public string Password { get; set; } = "";

    public string Folder { get; set; } = "INBOX";

    /// <summary>At most this many unread messages per run, so a flood is worked off over several runs within the function timeout.</summary>
    public int MaxMessagesPerRun { get; set; } = 200;

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(60);

    public bool Enabled => !string.IsNullOrWhiteSpace(ImapHost);
}
