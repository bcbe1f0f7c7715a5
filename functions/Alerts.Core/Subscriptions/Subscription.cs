namespace Alerts.Core.Subscriptions;

public enum Frequency { Instant, Hourly, Daily, Weekly }

public enum SubscriptionStatus
{
    /// <summary>Waiting for the subscriber to confirm from the email (double opt-in).</summary>
    Pending,
    Active,
    Paused,
    Unsubscribed,
}

/// <summary>One query one address follows, and how often it wants to hear about it.</summary>
/// <param name="TimeZone">IANA time zone id; digest times are local to it.</param>
/// <param name="DigestHour">Local hour (0-23) for daily and weekly digests.</param>
/// <param name="DigestDay">Day of the week for weekly digests.</param>
/// <param name="Sites">When set, only articles from these sites (a domain covers its subdomains) can match.</param>
/// <param name="MaxItems">When set, a digest shows this many articles in full and lists the rest by title only.</param>
public sealed record Subscription(
    string Id,
    string Email,
    string Query,
    Frequency Frequency,
    SubscriptionStatus Status,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ConfirmedAt = null,
    string TimeZone = "UTC",
    int DigestHour = 8,
    DayOfWeek DigestDay = DayOfWeek.Monday,
    string? Label = null,
    DateTimeOffset? LastDigestAt = null,
    IReadOnlyList<string>? Sites = null,
    int? MaxItems = null)
{
    /// <summary>True when the subscription takes articles from <paramref name="site"/> (a host or URL).</summary>
    public bool AllowsSite(string? site) => Matching.SiteFilter.Allows(Sites, site);
}
