using Alerts.Core.Email.Templates;
using Alerts.Core.Subscriptions;
using Alerts.Core.Web;
using MimeKit;

namespace Alerts.Core.Email;

/// <summary>What the confirmation email says; <see cref="ConfirmationEmailHtml"/> lays it out.</summary>
public sealed record ConfirmationEmailModel(string Subject, string SiteName, string Address, string Query, string Frequency, string ConfirmUrl);

/// <summary>
/// The double opt-in message. Transactional (sent once, on request), so it carries no List-Unsubscribe:
/// nothing else is ever sent unless the link is followed.
/// </summary>
public static class ConfirmationEmail
{
    public static Task<MimeMessage> ComposeAsync(EmailWriter writer, Subscription subscription, string confirmUrl, SiteOptions site)
    {
        // Only our words in the subject, and the query on one line in the body: anyone can ask us to send this
        // email to any address, so nothing they typed may read as our own text (the label waits for confirmation).
        var model = new ConfirmationEmailModel(
            $"Confirm your {site.Name} subscription", site.Name, subscription.Email,
            TypedText.OneLine(subscription.Query), FrequencyText.Describe(subscription), confirmUrl);

        var text = $"""
            Someone, hopefully you, asked {model.SiteName} to email {model.Address} about new articles matching:

                {model.Query}

            Frequency: {model.Frequency}

            To start receiving these alerts, confirm here:
            {model.ConfirmUrl}

            If this wasn't you, ignore this email. Nothing will be sent unless the subscription is confirmed.
            """;
        return writer.WriteAsync<ConfirmationEmailHtml>(new EmailEnvelope(subscription.Email, model.Subject), model, text);
    }
}
