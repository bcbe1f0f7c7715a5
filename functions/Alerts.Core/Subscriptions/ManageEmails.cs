using Alerts.Core.Email;
using Alerts.Core.Email.Templates;
using Alerts.Core.Web;
using MimeKit;

namespace Alerts.Core.Subscriptions;

/// <summary>What a manage-page email says: the address it is about and the one link it carries.</summary>
public sealed record ManageEmailModel(string Subject, string SiteName, string Address, string Url);

/// <summary>Transactional emails from the manage page.</summary>
public static class ManageEmails
{
    public static Task<MimeMessage> DeleteConfirmationAsync(EmailWriter writer, string address, string deleteUrl, SiteOptions site)
    {
        var model = new ManageEmailModel($"Confirm: delete all your alerts on {site.Name}", site.Name, address, deleteUrl);
        var text = $"""
            Someone with a manage link from one of your {site.Name} emails asked to delete every alert for {address},
            with their history. This cannot be undone.

            To delete everything, open this link and press the button:
            {deleteUrl}

            If this wasn't you, ignore this email: nothing changes.
            """;
        return writer.WriteAsync<DeleteConfirmationHtml>(new EmailEnvelope(address, model.Subject), model, text);
    }

    /// <summary>After "revoke all my links": the one link that works now.</summary>
    public static Task<MimeMessage> FreshManageLinkAsync(EmailWriter writer, string address, string manageUrl, SiteOptions site)
    {
        var model = new ManageEmailModel($"Your new {site.Name} manage link", site.Name, address, manageUrl);
        var text = $"""
            Every earlier {site.Name} link for {address} (manage, unsubscribe and confirm links in past emails) has just
            been revoked from the manage page, as asked. Your alerts themselves are unchanged.

            Manage your alerts from now on with this link:
            {manageUrl}

            Emails we send from now on carry links that work. Don't forward this email: anyone with the link can change your alerts.
            """;
        return writer.WriteAsync<ManageLinkHtml>(new EmailEnvelope(address, model.Subject), model, text);
    }

    /// <summary>"Email me a link to my alerts", asked for on the subscribe page.</summary>
    public static Task<MimeMessage> RequestedManageLinkAsync(EmailWriter writer, string address, string manageUrl, SiteOptions site)
    {
        var model = new ManageEmailModel($"Your {site.Name} alerts", site.Name, address, manageUrl);
        var text = $"""
            Someone asked on the {site.Name} subscribe page for a link to the alerts of {address}.

            See and change your alerts with this link:
            {manageUrl}

            If this wasn't you, ignore this email: nothing changes. Don't forward it: anyone with the link can change your alerts.
            """;
        return writer.WriteAsync<RequestedManageLinkHtml>(new EmailEnvelope(address, model.Subject), model, text);
    }
}
