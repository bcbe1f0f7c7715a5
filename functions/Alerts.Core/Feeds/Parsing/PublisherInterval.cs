using System.Globalization;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>
/// The publisher's own "don't poll more often than": RSS <c>&lt;ttl&gt;</c> (minutes) or the Syndication module's
/// <c>sy:updatePeriod</c> / <c>sy:updateFrequency</c>; the longer of the two.
/// </summary>
internal static class PublisherInterval
{
    public static TimeSpan? Of(Fields feed)
    {
        TimeSpan? ttl = int.TryParse(feed.First("ttl")?.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var minutes) && minutes is > 0 and < 1_000_000
            ? TimeSpan.FromMinutes(minutes)
            : null;
        TimeSpan? period = feed.First("sy:updateperiod")?.Value.Trim().ToLowerInvariant() switch
        {
            "hourly" => TimeSpan.FromHours(1),
            "daily" => TimeSpan.FromDays(1),
            "weekly" => TimeSpan.FromDays(7),
            "monthly" => TimeSpan.FromDays(30),
            "yearly" => TimeSpan.FromDays(365),
            _ => null,
        };
        if (period is { } length)
        {
            var frequency = int.TryParse(feed.First("sy:updatefrequency")?.Value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var f) && f is > 0 and < 10_000 ? f : 1;
            period = length / frequency;
        }
        var longest = ttl > period || period is null ? ttl : period;
        return longest > TimeSpan.Zero ? longest : null;
    }
}
