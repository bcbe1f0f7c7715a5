using System.Net;
using Alerts.Core.Email;
using Alerts.Core.Web;
using MimeKit;

namespace Alerts.Core.Subscriptions;

/// <summary>Transactional emails from the manage page.</summary>
public static class ManageEmails
{
    public static MimeMessage DeleteConfirmation(string address, string deleteUrl, SiteOptions site, SmtpOptions smtp)
    {
        var message = Envelope(address, $"Confirm: delete all your {site.Name} alerts", smtp);

        var text = $"""
            Someone with a manage link from one of your {site.Name} emails asked to delete every alert for {address},
            with their history. This cannot be undone.

            To delete everything, open this link and press the button:
            {deleteUrl}

            If this wasn't you, ignore this email: nothing changes.
            """;
        string E(string s) => WebUtility.HtmlEncode(s);
        var html = $"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>{E(message.Subject ?? "")}</title></head>
            <body style="margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#1f2937;">
            <p>Someone with a manage link from one of your {E(site.Name)} emails asked to delete every alert for <strong>{E(address)}</strong>, with their history. This cannot be undone.</p>
            <p><a href="{E(deleteUrl)}" style="color:#b91c1c;">Delete all my alerts</a></p>
            <p style="font-size:13px;color:#6b7280;">If this wasn't you, ignore this email: nothing changes.</p>
            </body></html>
            """;
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }

    /// <summary>After "revoke all my links": the one link that works now.</summary>
    public static MimeMessage FreshManageLink(string address, string manageUrl, SiteOptions site, SmtpOptions smtp)
    {
        var message = Envelope(address, $"Your new {site.Name} manage link", smtp);

        var text = $"""
            Every earlier {site.Name} link for {address} (manage, unsubscribe and confirm links in past emails) has just
            been revoked from the manage page, as asked. Your alerts themselves are unchanged.

            Manage your alerts from now on with this link:
            {manageUrl}

            Emails we send from now on carry links that work. Don't forward this email: anyone with the link can change your alerts.
            """;
        string E(string s) => WebUtility.HtmlEncode(s);
        var html = $"""
            <!DOCTYPE html>
            <html><head><meta charset="utf-8"><title>{E(message.Subject ?? "")}</title></head>
            <body style="margin:0;padding:24px;background:#f4f4f5;font-family:Arial,Helvetica,sans-serif;color:#1f2937;">
            <p>Every earlier {E(site.Name)} link for <strong>{E(address)}</strong> (manage, unsubscribe and confirm links in past emails) has just been revoked from the manage page, as asked. Your alerts themselves are unchanged.</p>
            <p><a href="{E(manageUrl)}">Manage your alerts</a></p>
            <p style="font-size:13px;color:#6b7280;">Emails we send from now on carry links that work. Don't forward this email: anyone with the link can change your alerts.</p>
            </body></html>
            """;
        message.Body = new BodyBuilder { TextBody = text, HtmlBody = html }.ToMessageBody();
        return message;
    }

    /// <summary>The headers every transactional email from the manage page carries (automated, no auto-replies).</summary>
    private static MimeMessage Envelope(string address, string subject, SmtpOptions smtp)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress(smtp.FromName, smtp.FromAddress));
        message.To.Add(MailboxAddress.Parse(address));
        message.Subject = subject;
        message.MessageId = MimeKit.Utils.MimeUtils.GenerateMessageId(smtp.EffectiveListIdDomain);
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Headers.Add("X-Auto-Response-Suppress", "All");
        return message;
    }
}
