using System.Globalization;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Digests;

/// <summary>The digest period a subscription is in: its key, when it becomes due (UTC), and whether it is due now.</summary>
public sealed record DigestPeriod(string Key, DateTimeOffset DueAt, bool IsDue);

/// <summary>
/// When digests fall due. Hourly periods are UTC hours; daily and weekly ones are local dates in the subscriber's
/// IANA zone, so an 08:00 digest stays at 08:00 local across DST changes.
/// </summary>
public static class DigestSchedule
{
    /// <summary>The current period, or null for instant subscriptions (the matcher queues those per article).</summary>
    public static DigestPeriod? Current(Subscription subscription, DateTimeOffset utcNow)
    {
        utcNow = utcNow.ToUniversalTime();
        switch (subscription.Frequency)
        {
            case Frequency.Hourly:
            {
                var hour = new DateTimeOffset(utcNow.Year, utcNow.Month, utcNow.Day, utcNow.Hour, 0, 0, TimeSpan.Zero);
                return new DigestPeriod("hourly-" + hour.ToString("yyyy-MM-dd'T'HH", CultureInfo.InvariantCulture), hour, true);
            }
            case Frequency.Daily:
            {
                var zone = Zone(subscription.TimeZone);
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utcNow, zone).DateTime);
                var due = LocalToUtc(today, subscription.DigestHour, zone);
                return new DigestPeriod("daily-" + Format(today), due, utcNow >= due);
            }
            case Frequency.Weekly:
            {
                var zone = Zone(subscription.TimeZone);
                var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(utcNow, zone).DateTime);
                // This week's digest day: today or the most recent one before it.
                var day = today.AddDays(-(((int)today.DayOfWeek - (int)subscription.DigestDay + 7) % 7));
                var due = LocalToUtc(day, subscription.DigestHour, zone);
                return new DigestPeriod("weekly-" + Format(day), due, utcNow >= due);
            }
            default:
                return null;
        }
    }

    /// <summary>The subscriber's zone; an unknown id falls back to UTC rather than never sending.</summary>
    public static TimeZoneInfo Zone(string? id) =>
        !string.IsNullOrWhiteSpace(id) && TimeZoneInfo.TryFindSystemTimeZoneById(id, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>
    /// The UTC instant of <paramref name="hour"/>:00 local on <paramref name="date"/>. A time skipped by a
    /// spring-forward change becomes the first valid local time after it; a time that occurs twice (fall back)
    /// is its first occurrence.
    /// </summary>
    public static DateTimeOffset LocalToUtc(DateOnly date, int hour, TimeZoneInfo zone)
    {
        var local = date.ToDateTime(new TimeOnly(Math.Clamp(hour, 0, 23), 0), DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            // Walk to the end of the gap a minute at a time; gaps are at most a few hours.
            var probe = local;
            while (zone.IsInvalidTime(probe))
                probe = probe.AddMinutes(1);
            local = probe;
        }
        var offset = zone.IsAmbiguousTime(local)
            ? zone.GetAmbiguousTimeOffsets(local).Max() // the larger (daylight) offset is the earlier instant
            : zone.GetUtcOffset(local);
        return new DateTimeOffset(local, offset).ToUniversalTime();
    }

    private static string Format(DateOnly date) => date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
}
