using Alerts.Core.Subscriptions;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>The confirm page tells a new subscriber when their first email can come, in their own zone.</summary>
public sealed class FirstEmailTests
{
    // Monday 2 March 2026, 15:00 UTC = 09:00 in Chicago (CST, UTC-6).
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);

    private static Subscription Sub(Frequency frequency, int hour = 8, DayOfWeek day = DayOfWeek.Friday, string zone = "America/Chicago") =>
        new("s", "a@example.test", "DACA", frequency, SubscriptionStatus.Active, Now, Now, zone, hour, day);

    [Fact]
    public void An_instant_alert_comes_as_soon_as_a_matching_story_arrives() =>
        Assert.Equal("Your first alert comes as soon as a matching story arrives.", FirstEmail.Describe(Sub(Frequency.Instant), Now));

    [Fact]
    public void A_daily_digest_whose_hour_has_passed_today_comes_tomorrow_at_that_local_hour() =>
        Assert.StartsWith("Your first digest comes Tuesday 3 March at 08:00 (America/Chicago)", FirstEmail.Describe(Sub(Frequency.Daily), Now));

    [Fact]
    public void A_daily_digest_whose_hour_is_still_ahead_comes_today() =>
        Assert.StartsWith("Your first digest comes today at 17:00 (America/Chicago)", FirstEmail.Describe(Sub(Frequency.Daily, hour: 17), Now));

    [Fact]
    public void A_weekly_digest_comes_on_its_day_in_the_subscribers_zone() =>
        Assert.StartsWith("Your first digest comes Friday 6 March at 08:00 (America/Chicago)", FirstEmail.Describe(Sub(Frequency.Weekly), Now));

    [Fact]
    public void A_weekly_digest_whose_time_passed_today_comes_next_week()
    {
        var monday = Sub(Frequency.Weekly, hour: 8, day: DayOfWeek.Monday);
        Assert.StartsWith("Your first digest comes Monday 9 March at 08:00 (America/Chicago)", FirstEmail.Describe(monday, Now));
    }

    [Fact]
    public void An_hourly_digest_comes_at_the_next_hour_in_local_time() =>
        Assert.StartsWith("Your first digest comes today at 10:00 (America/Chicago)", FirstEmail.Describe(Sub(Frequency.Hourly), Now));
}
