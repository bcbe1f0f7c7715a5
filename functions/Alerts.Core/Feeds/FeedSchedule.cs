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
        IEnumerable<DateTimeOffset> itemDates, TimeSpan current, TimeSpan floor, TimeSpan ceiling, DateTimeOffset now) =>
        AdaptiveInterval([], itemDates, current, floor, ceiling, now);

    /// <summary>
    /// The adaptive interval learnt from <paramref name="arrivals"/>, the times items were first seen by a fetch
    /// after the feed's first one, when there are two or more: what is new is what matters, and a publisher that
    /// backdates items (or dates them when written, not when published) would otherwise look quiet and be polled
    /// rarely. The gap is the span of the arrivals over the number of items that arrived after the oldest (several
    /// items found by one fetch share its time), and never shorter than half the silence since the latest arrival.
    /// Without two arrivals (a new feed, a quiet one): the publication dates, as above, with the silence measured
    /// from the latest arrival when it is newer than every date.
    /// </summary>
    public static TimeSpan AdaptiveInterval(
        IEnumerable<DateTimeOffset> arrivals, IEnumerable<DateTimeOffset> itemDates, TimeSpan current, TimeSpan floor, TimeSpan ceiling,
        DateTimeOffset now)
    {
        var arrived = arrivals.Where(a => a <= now).OrderDescending().Take(DatesConsidered).ToList();
        var later = arrived.Count(a => a > arrived[^1]);
        if (arrived.Count >= 2 && later > 0)
        {
            var gap = (arrived[0] - arrived[^1]) / later;
            var quiet = (now - arrived[0]) / 2;
            return Clamp(gap > quiet ? gap : quiet, floor, ceiling);
        }

        // Future dates are clock skew or scheduling tricks; they would make a feed look busier than it is.
        var dates = itemDates.Where(d => d <= now + TimeSpan.FromHours(1)).OrderDescending().Take(DatesConsidered).ToList();
        var interval = current;
        if (dates.Count >= 2)
        {
            var averageGap = (dates[0] - dates[^1]) / (dates.Count - 1);
            var newest = arrived.Count > 0 && arrived[0] > dates[0] ? arrived[0] : dates[0];
            var silence = (now - newest) / 2;
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
