namespace Alerts.Core.Feeds;

/// <summary>When to poll a healthy feed next.</summary>
public static class FeedSchedule
{
    private const int DatesConsidered = 20;

    /// <summary>
    /// The adaptive interval: the average gap between the feed's latest dated items (Miniflux's entry_frequency
    /// idea), but never shorter than half the silence since its newest item, so a feed that went quiet drifts towards
    /// the ceiling instead of being polled at its old pace. Clamped to [<paramref name="floor"/>, <paramref name="ceiling"/>].
    /// Fewer than two dated items: the current interval, clamped.
    /// </summary>
    public static TimeSpan AdaptiveInterval(
        IEnumerable<DateTimeOffset> itemDates, TimeSpan current, TimeSpan floor, TimeSpan ceiling, DateTimeOffset now)
    {
        // Future dates are clock skew or scheduling tricks; they would make a feed look busier than it is.
        var dates = itemDates.Where(d => d <= now + TimeSpan.FromHours(1)).OrderDescending().Take(DatesConsidered).ToList();
        var interval = current;
        if (dates.Count >= 2)
        {
            var averageGap = (dates[0] - dates[^1]) / (dates.Count - 1);
            var silence = (now - dates[0]) / 2;
            interval = averageGap > silence ? averageGap : silence;
        }
        return Clamp(interval, floor, ceiling);
    }

    /// <summary>
    /// The next check: the poll interval, but not before the publisher's floor (the longest of Cache-Control max-age /
    /// Expires and the feed's ttl / sy:updatePeriod). The floor is capped at <paramref name="ceiling"/> so a
    /// "max-age one year" never stops polling.
    /// </summary>
    public static DateTimeOffset NextCheck(DateTimeOffset now, TimeSpan pollInterval, TimeSpan? cacheLifetime, TimeSpan? publisherFloor, TimeSpan ceiling)
    {
        var wait = pollInterval;
        foreach (var floor in new[] { cacheLifetime, publisherFloor })
        {
            if (floor is { } f && f > wait)
                wait = f < ceiling ? f : ceiling;
        }
        return now + wait;
    }

    public static TimeSpan Clamp(TimeSpan value, TimeSpan floor, TimeSpan ceiling) =>
        value < floor ? floor : value > ceiling ? ceiling : value;
}
