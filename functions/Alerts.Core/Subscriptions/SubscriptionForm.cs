using System.Globalization;
using Alerts.Core.Matching;
using Microsoft.AspNetCore.Http;
using static Alerts.Core.Web.HtmlPage;

namespace Alerts.Core.Subscriptions;

/// <summary>
/// The settings fields shared by the subscribe form and each edit form on the manage page. Ids carry a suffix so
/// several forms on one page keep unique label targets; errors are tied to their field with aria-describedby.
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

    /// <summary>Every time zone the server knows, for the time-zone inputs' suggestions (rendered once per page).</summary>
    public static string TimeZoneList() =>
        $"<datalist id=\"{TimeZoneListId}\">"
        + string.Concat(TimeZoneInfo.GetSystemTimeZones().Select(z => z.Id).Where(id => id.Contains('/') || id == "UTC").Order(StringComparer.Ordinal)
            .Select(id => $"<option value=\"{Encode(id)}\">"))
        + "</datalist>";

    /// <summary>The query field, with syntax help and, on error, the parser's message and the spot it points at.</summary>
    public static string QueryField(SubscribeRequest values, IReadOnlyDictionary<string, string[]> errors, string suffix = "") =>
        $"""
        <label for="query{suffix}">Query</label>
        <input id="query{suffix}" name="query" type="text" required maxlength="{SubscribeRequest.MaxQueryLength}" autocomplete="off" spellcheck="false" value="{Encode(values.Query)}"{Described("query", errors, suffix, hint: true)}>
        <p class="hint" id="query{suffix}-hint">All words must appear. <code>"exact phrase"</code>, <code>OR</code>, <code>-exclude</code>,
        <code>immigra*</code>, <code>( )</code>, <code>intitle:word</code>, <code>site:example.com</code>. Example: <code>"sanctuary city" AND Chicago</code>.</p>
        {QueryError(values.Query, errors, suffix)}
        """;

    /// <summary>How often, when, for which sites, and how the email looks.</summary>
    public static string SettingsFields(SubscribeRequest values, IReadOnlyDictionary<string, string[]> errors, string suffix = "")
    {
        var frequency = SubscribeRequest.ParseFrequency(values.Frequency) ?? Frequency.Daily;
        string Option(string value, string text, bool selected) =>
            $"<option value=\"{Encode(value)}\"{(selected ? " selected" : "")}>{Encode(text)}</option>";
        var hours = string.Concat(Enumerable.Range(0, 24).Select(h =>
            Option(h.ToString(CultureInfo.InvariantCulture), $"{h:00}:00", h == (values.DigestHour ?? 8))));
        var day = Enum.TryParse<DayOfWeek>(values.DigestDay, ignoreCase: true, out var d) ? d : DayOfWeek.Monday;
        DayOfWeek[] week = [DayOfWeek.Monday, DayOfWeek.Tuesday, DayOfWeek.Wednesday, DayOfWeek.Thursday, DayOfWeek.Friday, DayOfWeek.Saturday, DayOfWeek.Sunday];
        var days = string.Concat(week.Select(w => Option(w.ToString(), w.ToString(), w == day)));
        return $"""
            <label for="frequency{suffix}">How often</label>
            <select id="frequency{suffix}" name="frequency"{Described("frequency", errors, suffix)}>
              {Option("instant", "As it happens", frequency == Frequency.Instant)}
              {Option("hourly", "Hourly digest", frequency == Frequency.Hourly)}
              {Option("daily", "Daily digest", frequency == Frequency.Daily)}
              {Option("weekly", "Weekly digest", frequency == Frequency.Weekly)}
            </select>
            {ErrorFor("frequency", errors, suffix)}
            <div class="row">
              <div><label for="digestHour{suffix}">Time (daily and weekly)</label>
              <select id="digestHour{suffix}" name="digestHour"{Described("digestHour", errors, suffix)}>{hours}</select>
              {ErrorFor("digestHour", errors, suffix)}</div>
              <div><label for="digestDay{suffix}">Day (weekly)</label>
              <select id="digestDay{suffix}" name="digestDay"{Described("digestDay", errors, suffix)}>{days}</select>
              {ErrorFor("digestDay", errors, suffix)}</div>
            </div>
            <label for="timeZone{suffix}">Time zone</label>
            <input id="timeZone{suffix}" name="timeZone" type="text" list="{TimeZoneListId}" autocomplete="off" data-default-from-browser value="{Encode(values.TimeZone)}"{Described("timeZone", errors, suffix, hint: true)}>
            <p class="hint" id="timeZone{suffix}-hint">An IANA name such as Europe/Berlin or America/Chicago. Empty means UTC.</p>
            {ErrorFor("timeZone", errors, suffix)}
            <label for="label{suffix}">Label (optional)</label>
            <input id="label{suffix}" name="label" type="text" maxlength="{SubscribeRequest.MaxLabelLength}" value="{Encode(values.Label)}"{Described("label", errors, suffix, hint: true)}>
            <p class="hint" id="label{suffix}-hint">Shown in the subject line instead of the query.</p>
            {ErrorFor("label", errors, suffix)}
            <label for="sites{suffix}">Only from these sites (optional)</label>
            <input id="sites{suffix}" name="sites" type="text" autocomplete="off" spellcheck="false" value="{Encode(string.Join(", ", values.Sites ?? []))}"{Described("sites", errors, suffix, hint: true)}>
            <p class="hint" id="sites{suffix}-hint">Domains separated by commas, e.g. <code>reuters.com, apnews.com</code>. A domain includes its subdomains. Empty means every feed.</p>
            {ErrorFor("sites", errors, suffix)}
            <label for="maxItems{suffix}">Articles shown in full per email (optional)</label>
            <input id="maxItems{suffix}" name="maxItems" type="number" min="1" max="{SubscribeRequest.MaxItemsLimit}" inputmode="numeric" value="{values.MaxItems?.ToString(CultureInfo.InvariantCulture)}"{Described("maxItems", errors, suffix, hint: true)}>
            <p class="hint" id="maxItems{suffix}-hint">The rest are listed by title only. Empty shows every article in full.</p>
            {ErrorFor("maxItems", errors, suffix)}
            """;
    }

    public static string ErrorFor(string field, IReadOnlyDictionary<string, string[]> errors, string suffix = "") =>
        errors.TryGetValue(field, out var messages)
            ? $"<p class=\"error\" id=\"{field}{suffix}-error\" role=\"alert\">{Encode(string.Join(" ", messages))}</p>"
            : "";

    public static string Described(string field, IReadOnlyDictionary<string, string[]> errors, string suffix = "", bool hint = false)
    {
        var ids = new List<string>();
        if (errors.ContainsKey(field)) ids.Add($"{field}{suffix}-error");
        if (hint) ids.Add($"{field}{suffix}-hint");
        var invalid = errors.ContainsKey(field) ? " aria-invalid=\"true\"" : "";
        return ids.Count == 0 ? invalid : $"{invalid} aria-describedby=\"{string.Join(' ', ids)}\"";
    }

    /// <summary>The parser's message, and the query with the character it points at marked, so "position 9" is visible.</summary>
    private static string QueryError(string? query, IReadOnlyDictionary<string, string[]> errors, string suffix)
    {
        if (!errors.TryGetValue("query", out var messages))
            return "";
        var marker = "";
        if (!string.IsNullOrEmpty(query) && query.Length <= SubscribeRequest.MaxQueryLength
            && QueryParser.TryParse(query, out var error) is null && error is not null)
        {
            var at = Math.Clamp(error.Position, 0, query.Length);
            var spot = at < query.Length ? query[at].ToString() : " ";
            marker = $"<code class=\"query-echo\" aria-hidden=\"true\">{Encode(query[..at])}<mark>{Encode(spot)}</mark>{Encode(at < query.Length ? query[(at + 1)..] : "")}</code>";
        }
        return $"<div class=\"error\" id=\"query{suffix}-error\" role=\"alert\">{Encode(string.Join(" ", messages))} {marker}</div>";
    }
}
