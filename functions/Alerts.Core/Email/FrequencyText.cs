using System.Globalization;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Email;

/// <summary>How often a subscription sends, in words, for emails and pages.</summary>
public static class FrequencyText
{
    public static string Describe(Subscription subscription)
    {
        var hour = Math.Clamp(subscription.DigestHour, 0, 23).ToString("00", CultureInfo.InvariantCulture) + ":00";
        return subscription.Frequency switch
        {
            Frequency.Instant => "as soon as a matching article appears",
            Frequency.Hourly => "at most once an hour",
            Frequency.Daily => $"once a day at {hour} ({subscription.TimeZone})",
            Frequency.Weekly => $"once a week, on {subscription.DigestDay} at {hour} ({subscription.TimeZone})",
            _ => subscription.Frequency.ToString(),
        };
    }

    /// <summary>
    /// An alert's title in quotes, once: a phrase query (<c>"sanctuary city"</c>) or any title that has quotes of
    /// its own is shown as typed, so an email never reads <c>""sanctuary city""</c>.
    /// </summary>
    public static string Quoted(string title) => title.Contains('"') ? title : "\"" + title + "\"";

    /// <summary>The label when the subscriber gave one, else the query, shortened for subject lines.</summary>
    public static string Title(Subscription subscription, int maxLength = 80)
    {
        var text = string.IsNullOrWhiteSpace(subscription.Label) ? subscription.Query : subscription.Label;
        text = string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return text.Length <= maxLength ? text : text[..(maxLength - 1)] + "…";
    }
}
