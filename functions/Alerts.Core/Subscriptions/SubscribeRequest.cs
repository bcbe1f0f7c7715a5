using Alerts.Core.Matching;

namespace Alerts.Core.Subscriptions;

/// <summary>What <see cref="SubscribeRequest.Validate"/> found.</summary>
/// <param name="Errors">Field name → messages; empty when the request is valid.</param>
/// <param name="Query">The query's tree when the query is valid (other fields may still have errors), else null.</param>
/// <param name="QueryErrorAt">Where in the query its parse error points (pages mark that character), or null.</param>
public sealed record SubscribeValidation(Dictionary<string, string[]> Errors, ParsedQuery? Query, int? QueryErrorAt)
{
    public bool IsValid => Errors.Count == 0;

    /// <summary>Only the query's and the sites' errors: what a preview or an article test needs to be right.</summary>
    public SubscribeValidation ForQuery() =>
        this with { Errors = Errors.Where(e => e.Key is "query" or "sites").ToDictionary() };
}

/// <summary>What a person asks for on the subscribe page or through <c>POST /api/subscriptions</c>.</summary>
public sealed record SubscribeRequest(
    string? Email,
    string? Query,
    string? Frequency,
    string? TimeZone = null,
    int? DigestHour = null,
    string? DigestDay = null,
    string? Label = null,
    string[]? Sites = null,
    int? MaxItems = null)
{
    public const int MaxQueryLength = 500;
    public const int MaxLabelLength = 100;
    public const int MaxSites = 20;
    public const int MaxItemsLimit = 50;

    /// <summary>
    /// Field name → messages (empty when the request is valid; names match the JSON properties), and the query's tree.
    /// This is where a typed query is parsed: the preview, the article test and the error echo take the tree or the
    /// error's position from here rather than parsing the text again.
    /// </summary>
    public SubscribeValidation Validate()
    {
        ParsedQuery? parsed = null;
        int? queryErrorAt = null;
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(Email))
            errors["email"] = ["An email address is required."];
        else if (!EmailAddress.IsValid(Email))
            errors["email"] = ["This is not a valid email address."];

        if (string.IsNullOrWhiteSpace(Query))
            errors["query"] = ["A query is required, e.g. DACA or \"sanctuary city\" AND Chicago."];
        else if (Query.Length > MaxQueryLength)
            errors["query"] = [$"The query is {Query.Length} characters long; the limit is {MaxQueryLength}."];
        else
        {
            if (QueryParser.TryParse(Query, out var error) is { } tree)
                parsed = new ParsedQuery(Query.Trim(), tree);
            else
            {
                errors["query"] = [error!.Message];
                queryErrorAt = Math.Clamp(error.Position, 0, Query.Length);
            }
        }

        if (string.IsNullOrWhiteSpace(Frequency))
            errors["frequency"] = ["A frequency is required: instant, hourly, daily or weekly."];
        else if (ParseFrequency(Frequency) is null)
            errors["frequency"] = [$"Unknown frequency '{Frequency}': use instant, hourly, daily or weekly."];

        if (!string.IsNullOrWhiteSpace(TimeZone) && !TimeZoneInfo.TryFindSystemTimeZoneById(TimeZone, out _))
            errors["timeZone"] = [$"Unknown time zone '{TimeZone}': use an IANA name such as Europe/Berlin."];
        if (DigestHour is < 0 or > 23)
            errors["digestHour"] = ["The digest hour is a local hour from 0 to 23."];
        if (!string.IsNullOrWhiteSpace(DigestDay) && !Enum.TryParse<DayOfWeek>(DigestDay, ignoreCase: true, out _))
            errors["digestDay"] = [$"Unknown day '{DigestDay}': use Monday to Sunday."];
        if (Label is { Length: > MaxLabelLength })
            errors["label"] = [$"The label is limited to {MaxLabelLength} characters."];
        if (Sites is { Length: > MaxSites })
            errors["sites"] = [$"At most {MaxSites} sites."];
        else if (Sites?.FirstOrDefault(s => NormalizeSite(s) is null) is { } badSite)
            errors["sites"] = [$"'{badSite}' is not a site: use a domain such as reuters.com."];
        if (MaxItems is < 1 or > MaxItemsLimit)
            errors["maxItems"] = [$"The number of articles shown in full is from 1 to {MaxItemsLimit}."];

        // What a stranger could make us mail to someone: printable text only (bidi and zero-width characters too).
        foreach (var (field, text) in new[] { ("email", Email), ("query", Query), ("label", Label), ("timeZone", TimeZone), ("digestDay", DigestDay) })
            if (text is not null && TypedText.FirstRefused(text) is { } at)
                errors[field] = [TypedText.Problem(text, at)];
        return new SubscribeValidation(errors, errors.ContainsKey("query") ? null : parsed, queryErrorAt);
    }

    /// <summary>Sites typed in a form: separated by commas, spaces or new lines.</summary>
    public static string[]? SplitSites(string? text) =>
        text?.Split([',', ' ', '\n', '\r', '\t'], StringSplitOptions.RemoveEmptyEntries) is { Length: > 0 } parts ? parts : null;

    /// <summary>"https://www.Reuters.com/world" → "www.reuters.com"; null when it is not a plausible host name.</summary>
    public static string? NormalizeSite(string? text)
    {
        var host = TextAnalyzer.SiteHost(text).Host;
        if (host.StartsWith("www.", StringComparison.Ordinal))
            host = host[4..]; // "www.reuters.com" is meant as the whole site
        var valid = host.Length is > 2 and <= 253 && host.Contains('.') && !host.StartsWith('.') && !host.Contains("..")
            && host.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-');
        return valid ? host : null;
    }

    public static Frequency? ParseFrequency(string? text) =>
        Enum.TryParse<Frequency>(text?.Trim(), ignoreCase: true, out var f) && Enum.IsDefined(f) && !int.TryParse(text, out _) ? f : null;

    /// <summary>The pending subscription this (valid) request describes.</summary>
    public Subscription ToPendingSubscription(string id, DateTimeOffset now) => new(
        id,
        EmailAddress.Normalize(Email!),
        TypedText.OneLine(Query!),
        ParseFrequency(Frequency)!.Value,
        SubscriptionStatus.Pending,
        now,
        TimeZone: string.IsNullOrWhiteSpace(TimeZone) ? "UTC" : TimeZone.Trim(),
        DigestHour: DigestHour ?? 8,
        DigestDay: Enum.TryParse<DayOfWeek>(DigestDay, ignoreCase: true, out var day) ? day : DayOfWeek.Monday,
        Label: string.IsNullOrWhiteSpace(Label) ? null : TypedText.OneLine(Label),
        Sites: Sites is { Length: > 0 } ? Sites.Select(s => NormalizeSite(s)!).Distinct(StringComparer.Ordinal).ToArray() : null,
        MaxItems: MaxItems);

    /// <summary>An existing subscription with this (valid) request's settings; identity, status and history stay.</summary>
    public Subscription ApplyTo(Subscription existing)
    {
        var settings = ToPendingSubscription(existing.Id, existing.CreatedAt);
        return existing with
        {
            Query = settings.Query,
            Frequency = settings.Frequency,
            TimeZone = settings.TimeZone,
            DigestHour = settings.DigestHour,
            DigestDay = settings.DigestDay,
            Label = settings.Label,
            Sites = settings.Sites,
            MaxItems = settings.MaxItems,
        };
    }
}
