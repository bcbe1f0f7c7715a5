using MimeKit;

namespace Alerts.Core.Email;

/// <summary>What a digest's List-* headers say (RFC 2369, RFC 8058).</summary>
/// <param name="UnsubscribeUrl">The one-click HTTPS target: a POST stops everything the email carries.</param>
/// <param name="UnsubscribeMailto">A mailto: alternative, only when a mailbox reader handles it.</param>
public sealed record ListHeaders(string ListName, string ListIdDomain, string UnsubscribeUrl, string? UnsubscribeMailto);

/// <summary>
/// The headers of an email we send. <see cref="EmailWriter"/> is the one place they become a message, so every email
/// has the same sender, the same anti-auto-reply headers and the same Message-ID rules.
/// </summary>
/// <param name="MessageId">Stable for a digest (every retry is recognisably the same email); null generates one.</param>
/// <param name="Date">The digest's freeze time; null for now.</param>
/// <param name="List">Digests and alerts: list headers. Null for transactional and admin email, which say they are automated instead.</param>
public sealed record EmailEnvelope(
    IReadOnlyList<string> To,
    string Subject,
    string? MessageId = null,
    DateTimeOffset? Date = null,
    ListHeaders? List = null)
{
    public EmailEnvelope(string to, string subject) : this([to], subject) { }

    internal MimeMessage ToMessage(SmtpOptions smtp)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(smtp.FromName, smtp.FromAddress));
        foreach (var address in To)
            message.To.Add(MailboxAddress.Parse(address));
        message.Subject = Subject;
        if (Date is { } date)
            message.Date = date;
        message.MessageId = MessageId ?? MimeKit.Utils.MimeUtils.GenerateMessageId(smtp.EffectiveListIdDomain);
        if (List is { } list)
        {
            // RFC 8058: one HTTPS URI (the POST target), optionally a mailto:, and the exact one-click marker.
            message.Headers.Add("List-Unsubscribe", $"<{list.UnsubscribeUrl}>" + (list.UnsubscribeMailto is { } mailto ? $", <{mailto}>" : ""));
            message.Headers.Add("List-Unsubscribe-Post", "List-Unsubscribe=One-Click");
            message.Headers.Add("List-Id", $"{HeaderPhrase(list.ListName)} <digests.{list.ListIdDomain}>");
        }
        else
        {
            // Keeps out-of-office replies away from a no-reply sender.
            message.Headers.Add("Auto-Submitted", "auto-generated");
        }
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        return message;
    }

    /// <summary>A display name safe inside a header phrase: no quotes, brackets or control characters.</summary>
    private static string HeaderPhrase(string name)
    {
        var clean = new string(name.Where(c => char.IsLetterOrDigit(c) || c is ' ' or '-' or '.').ToArray()).Trim();
        return clean.Length == 0 ? "Alerts" : clean;
    }
}
