using System.Net;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using MimeKit;

namespace Alerts.Core.Email;

/// <summary>
/// The double opt-in message. Transactional (sent once, on request), so it carries no List-Unsubscribe:
/// nothing else is ever sent unless the link is followed.
/// </summary>
public static class ConfirmationEmail
{
    public static MimeMessage Compose(Subscription subscription, string confirmUrl, SiteOptions site, SmtpOptions smtp)
    {
        // Only our words in the subject, and the query on one line in the body: anyone can ask us to send this
        // email to any address, so nothing they typed may read as our own text (the label waits for confirmation).
        var query = TypedText.OneLine(subscription.Query);
        var frequency = FrequencyText.Describe(subscription);

        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(smtp.FromName, smtp.FromAddress));
        message.To.Add(MailboxAddress.Parse(subscription.Email));
        message.Subject = $"Confirm your {site.Name} alert";
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(smtp.EffectiveListIdDomain);
        // Keeps out-of-office replies away from a no-reply sender.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");

        var text = $"""
            Someone, hopefully you, asked {site.Name} to email {subscription.Email} about new articles matching:

                {query}

            Frequency: {frequency}

            To start receiving these alerts, confirm here:
            {confirmUrl}

            If this wasn't you, ignore this email. Nothing will be sent unless the subscription is confirmed.
            """;

        string E(string s) => WebUtility.HtmlEncode(s);
        var html = $"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>{E(message.Subject)}</title></head>
            <body style="margin:0;padding:0;background:#f4f4f5;">
            <table role="presentation" width="100%" cellpadding="0" cellspacing="0" style="background:#f4f4f5;">
            <tr><td align="center" style="padding:24px 12px;">
            <table role="presentation" width="600" cellpadding="0" cellspacing="0" style="max-width:600px;width:100%;background:#ffffff;border-radius:6px;font-family:Arial,Helvetica,sans-serif;color:#1f2937;">
            <tr><td style="padding:24px;">
            <p style="margin:0 0 12px;font-size:16px;">Someone, hopefully you, asked {E(site.Name)} to email <strong>{E(subscription.Email)}</strong> about new articles matching:</p>
            <p style="margin:0 0 12px;padding:8px 12px;background:#f3f4f6;font-family:Consolas,monospace;font-size:14px;">{E(query)}</p>
            <p style="margin:0 0 20px;font-size:14px;">Frequency: {E(frequency)}</p>
            <table role="presentation" cellpadding="0" cellspacing="0"><tr><td style="background:#2563eb;border-radius:4px;">
            <a href="{E(confirmUrl)}" style="display:inline-block;padding:10px 18px;color:#ffffff;text-decoration:none;font-size:15px;">Confirm subscription</a>
            </td></tr></table>
            <p style="margin:20px 0 0;font-size:13px;color:#6b7280;">If the button does not work, open this link: {E(confirmUrl)}</p>
            <p style="margin:12px 0 0;font-size:13px;color:#6b7280;">If this wasn't you, ignore this email. Nothing will be sent unless the subscription is confirmed.</p>
            </td></tr></table>
            </td></tr></table>
            </body></html>
            """;

        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }
}
