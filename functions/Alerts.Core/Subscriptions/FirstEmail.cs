using System.Globalization;
using Alerts.Core.Digests;

namespace Alerts.Core.Subscriptions;

/// <summary>When a newly confirmed subscription's first email can come, in the subscriber's own zone, for the confirm page.</summary>
public static class FirstEmail
{
    public static string Describe(Subscription subscription, DateTimeOffset utcNow)
    {
        if (subscription.Frequency == Frequency.Instant)
            return "Your first alert comes as soon as a matching story arrives.";
        var zone = DigestSchedule.Zone(subscription.TimeZone);
        var next = NextSend(subscription, utcNow.ToUniversalTime(), zone);
        var local = TimeZoneInfo.ConvertTime(next, zone);
        var when = local.Date == TimeZoneInfo.ConvertTime(utcNow, zone).Date
            ? "today at " + local.ToString("HH:mm", CultureInfo.InvariantCulture)
            : local.ToString("dddd d MMMM 'at' HH:mm", CultureInfo.InvariantCulture);
        return $"Your first digest comes {when} ({zone.Id}), with the stories that matched until then; a digest with nothing in it is not sent.";
    }

    /// <summary>The first digest due time after <paramref name="utcNow"/>.</summary>
    public static DateTimeOffset NextSend(Subscription subscription, DateTimeOffset utcNow, TimeZoneInfo zone)
    {
        var period = DigestSchedule.Current(subscription, utcNow)!;
        if (subscription.Frequency == Frequency.Hourly)
            return period.DueAt.AddHours(1);
        if (!period.IsDue)
            return period.DueAt;
        var dueLocal = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(period.DueAt, zone).DateTime);
        return DigestSchedule.LocalToUtc(dueLocal.AddDays(subscription.Frequency == Frequency.Weekly ? 7 : 1), subscription.DigestHour, zone);
    }
}
