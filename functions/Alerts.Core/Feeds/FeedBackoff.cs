namespace Alerts.Core.Feeds;

/// <summary>When to try a failing feed again: exponential in the failure count, capped, with jitter.</summary>
public static class FeedBackoff
{
    public const double JitterFraction = 0.10;

    /// <param name="consecutiveFailures">Including the failure just recorded (1 after the first).</param>
    /// <param name="jitter">In [-1, 1]; scaled to ±10% so failing feeds spread out instead of retrying in lockstep.</param>
    public static TimeSpan Delay(TimeSpan pollInterval, int consecutiveFailures, TimeSpan max, double jitter, TimeSpan? retryAfter = null)
    {
        // 2^failures overflows long before it matters; the cap is reached well before 2^30.
        var factor = Math.Pow(2, Math.Clamp(consecutiveFailures, 0, 30));
        var baseDelay = TimeSpan.FromTicks((long)Math.Min(pollInterval.Ticks * factor, max.Ticks));
        var delay = baseDelay * (1 + JitterFraction * Math.Clamp(jitter, -1, 1));
        if (delay > max)
            delay = max;
        // A server that says when to come back is obeyed, within the same cap.
        if (retryAfter is { } wait && wait > delay)
            delay = wait < max ? wait : max;
        return delay;
    }
}
