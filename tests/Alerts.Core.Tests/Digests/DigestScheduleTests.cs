using Alerts.Core.Digests;
using Alerts.Core.Subscriptions;

namespace Alerts.Core.Tests.Digests;

public sealed class DigestScheduleTests
{
    private static DateTimeOffset Utc(int year, int month, int day, int hour, int minute = 0) =>
        new(year, month, day, hour, minute, 0, TimeSpan.Zero);

    private static DigestPeriod Period(Subscription s, DateTimeOffset now) =>
        DigestSchedule.Current(s, now) ?? throw new InvalidOperationException("not scheduled");

    // 2026: the US springs forward on 8 March and falls back on 1 November; the EU on 29 March and 25 October.
    [Theory]
    [InlineData("America/New_York", 2026, 3, 7, 13)]  // EST, UTC-5
    [InlineData("America/New_York", 2026, 3, 9, 12)]  // EDT, UTC-4
    [InlineData("America/New_York", 2026, 10, 31, 12)] // EDT
    [InlineData("America/New_York", 2026, 11, 2, 13)] // EST again
    [InlineData("Europe/Berlin", 2026, 3, 28, 7)]     // CET, UTC+1
    [InlineData("Europe/Berlin", 2026, 3, 30, 6)]     // CEST, UTC+2
    [InlineData("Europe/Berlin", 2026, 10, 24, 6)]    // CEST
    [InlineData("Europe/Berlin", 2026, 10, 26, 7)]    // CET again
    public void Daily_0800_is_due_at_0800_local_on_both_sides_of_a_change(string zone, int year, int month, int day, int utcHourOf0800)
    {
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: zone, digestHour: 8);
        var due = Utc(year, month, day, utcHourOf0800);
        var key = $"daily-{year:0000}-{month:00}-{day:00}";

        var before = Period(s, due.AddMinutes(-1));
        Assert.Equal(key, before.Key);
        Assert.False(before.IsDue);
        Assert.Equal(due, before.DueAt);

        var at = Period(s, due);
        Assert.Equal(key, at.Key);
        Assert.True(at.IsDue);

        var later = Period(s, due.AddHours(10));
        Assert.Equal(key, later.Key);
        Assert.True(later.IsDue);
    }

    [Fact]
    public void Daily_on_the_change_days_themselves()
    {
        // New York 8 March (asked at 06:00 EDT): 08:00 EDT = 12:00Z. Berlin 25 October (asked at 02:00 CEST): 08:00 CET = 07:00Z.
        Assert.Equal(Utc(2026, 3, 8, 12), Period(DigestTestData.Subscription(timeZone: "America/New_York"), Utc(2026, 3, 8, 10)).DueAt);
        Assert.Equal(Utc(2026, 10, 25, 7), Period(DigestTestData.Subscription(timeZone: "Europe/Berlin"), Utc(2026, 10, 25, 0)).DueAt);
    }

    [Theory]
    [InlineData("America/New_York", 2026, 3, 8, 7)]  // 02:00 does not exist; 03:00 EDT = 07:00Z
    [InlineData("Europe/Berlin", 2026, 3, 29, 1)]    // 02:00 does not exist; 03:00 CEST = 01:00Z
    public void A_skipped_hour_fires_at_the_first_valid_local_time_after_it(string zone, int year, int month, int day, int utcHour)
    {
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: zone, digestHour: 2);
        var period = Period(s, Utc(year, month, day, 12));
        Assert.Equal(Utc(year, month, day, utcHour), period.DueAt);
        Assert.False(Period(s, Utc(year, month, day, utcHour).AddMinutes(-1)).IsDue);
    }

    [Theory]
    [InlineData("America/New_York", 2026, 11, 1, 5)] // 01:00 happens twice; the first is EDT = 05:00Z
    [InlineData("Europe/Berlin", 2026, 10, 25, 0)]   // 02:00 happens twice; the first is CEST = 00:00Z
    public void A_repeated_hour_fires_at_its_first_occurrence(string zone, int year, int month, int day, int utcHour)
    {
        var hour = zone == "Europe/Berlin" ? 2 : 1;
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: zone, digestHour: hour);
        Assert.Equal(Utc(year, month, day, utcHour), Period(s, Utc(year, month, day, 12)).DueAt);
    }

    [Fact]
    public void Daily_key_uses_the_local_date_not_the_utc_date()
    {
        // 03:30Z on 27 Nov is still 26 Nov in New York (22:30 EST).
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: "America/New_York", digestHour: 20);
        var period = Period(s, Utc(2026, 11, 27, 3, 30));
        Assert.Equal("daily-2026-11-26", period.Key);
        Assert.True(period.IsDue);
    }

    [Fact]
    public void Weekly_is_keyed_by_the_local_digest_day_and_due_once_reached()
    {
        // Monday 09:00 Berlin. 2026-03-30 is the Monday after the EU change (CEST: 07:00Z).
        var s = DigestTestData.Subscription(Frequency.Weekly, timeZone: "Europe/Berlin", digestHour: 9, digestDay: DayOfWeek.Monday);

        var sundayBefore = Period(s, Utc(2026, 3, 29, 12));
        Assert.Equal("weekly-2026-03-23", sundayBefore.Key);
        Assert.True(sundayBefore.IsDue);

        var mondayEarly = Period(s, Utc(2026, 3, 30, 6, 59));
        Assert.Equal("weekly-2026-03-30", mondayEarly.Key);
        Assert.False(mondayEarly.IsDue);

        var mondayAt = Period(s, Utc(2026, 3, 30, 7));
        Assert.Equal("weekly-2026-03-30", mondayAt.Key);
        Assert.True(mondayAt.IsDue);

        var friday = Period(s, Utc(2026, 4, 3, 12));
        Assert.Equal("weekly-2026-03-30", friday.Key);
        Assert.True(friday.IsDue);

        // The week before the change: 09:00 CET = 08:00Z.
        Assert.Equal(Utc(2026, 3, 23, 8), Period(s, Utc(2026, 3, 25, 0)).DueAt);
    }

    [Fact]
    public void Hourly_is_keyed_by_the_utc_hour_and_always_due()
    {
        var s = DigestTestData.Subscription(Frequency.Hourly, timeZone: "Europe/Berlin");
        var period = Period(s, Utc(2026, 10, 25, 0, 59));
        Assert.Equal("hourly-2026-10-25T00", period.Key);
        Assert.True(period.IsDue);
        Assert.Equal(Utc(2026, 10, 25, 0), period.DueAt);
        // Berlin's repeated 02:00 local hour is two distinct UTC hours, so two digests, not one.
        Assert.Equal("hourly-2026-10-25T01", Period(s, Utc(2026, 10, 25, 1, 0)).Key);
    }

    [Fact]
    public void Instant_subscriptions_are_not_scheduled() =>
        Assert.Null(DigestSchedule.Current(DigestTestData.Subscription(Frequency.Instant), Utc(2026, 11, 26, 8)));

    [Fact]
    public void An_unknown_zone_falls_back_to_utc()
    {
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: "Mars/Olympus_Mons", digestHour: 8);
        Assert.Equal(Utc(2026, 11, 26, 8), Period(s, Utc(2026, 11, 26, 9)).DueAt);
    }
}
