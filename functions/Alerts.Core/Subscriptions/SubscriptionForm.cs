using System.Globalization;
using Alerts.Core.Matching;
using Microsoft.AspNetCore.Http;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// Reading the settings fields shared by the subscribe form and each edit form on the manage page
/// (<see cref="Pages.QueryInput"/>, <see cref="Pages.SettingsInputs"/>), and the accessibility wiring of their
/// fields: ids carry a suffix so several forms on one page keep unique label targets, and errors are tied to their
/// field with aria-describedby.
/// </summary>
public static class SubscriptionForm
{
    public const string TimeZoneListId = "time-zones";

    public static SubscribeRequest Read(IFormCollection form, string? email) => new(
        email,
        form["query"],
        form["frequency"],
        form["timeZone"],
        int.TryParse(form["digestHour"], NumberStyles.None, CultureInfo.InvariantCulture, out var hour) ? hour : null,
        form["digestDay"],
        form["label"],
        SubscribeRequest.SplitSites(form["sites"]),
        string.IsNullOrWhiteSpace(form["maxItems"]) ? null
            : int.TryParse(form["maxItems"], NumberStyles.None, CultureInfo.InvariantCulture, out var max) ? max : -1);

    /// <summary>The form values for an existing subscription.</summary>
    public static SubscribeRequest From(Subscription s) => new(
        s.Email, s.Query, s.Frequency.ToString().ToLowerInvariant(), s.TimeZone, s.DigestHour, s.DigestDay.ToString(), s.Label,
        s.Sites?.ToArray(), s.MaxItems);

    /// <summary>"true" for a field with errors, else null (the renderer leaves the attribute out).</summary>
    public static string? Invalid(string field, IReadOnlyDictionary<string, string[]> errors) =>
        errors.ContainsKey(field) ? "true" : null;

    /// <summary>The ids of a field's error and hint, for aria-describedby; null when it has neither.</summary>
    public static string? DescribedBy(string field, IReadOnlyDictionary<string, string[]> errors, string suffix = "", bool hint = false)
    {
        var ids = new List<string>();
        if (errors.ContainsKey(field)) ids.Add($"{field}{suffix}-error");
        if (hint) ids.Add($"{field}{suffix}-hint");
        return ids.Count == 0 ? null : string.Join(' ', ids);
    }
}
