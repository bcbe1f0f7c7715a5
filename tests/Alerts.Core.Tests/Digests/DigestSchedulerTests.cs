using Alerts.Core.Digests;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Digests;

[Collection(StorageCollection.Name)]
public sealed class DigestSchedulerTests(AzuriteFixture fixture) : IDisposable
{
    private readonly CoreInstances _instances = new();

    private static DateTimeOffset Utc(int month, int day, int hour, int minute = 0) => new(2026, month, day, hour, minute, 0, TimeSpan.Zero);

    private sealed record Context(AlertsStorage Storage, SubscriptionStore Subscriptions, DigestStore Digests, FakeTimeProvider Time, DigestScheduler Scheduler)
    {
        /// <summary>Takes every message off the digest-send queue.</summary>
        public async Task<List<DigestSendMessage>> DrainAsync()
        {
            var queue = Storage.Queue(QueueNames.DigestSend);
            var list = new List<DigestSendMessage>();
            while (true)
            {
                var batch = (await queue.ReceiveMessagesAsync(32)).Value;
                if (batch.Length == 0)
                    return list;
                foreach (var m in batch)
                {
                    list.Add(QueueMessages.Deserialize<DigestSendMessage>(m.MessageText));
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
                }
            }
        }
    }

    private async Task<Context> CreateAsync(DateTimeOffset start)
    {
        var storage = await fixture.ResetAsync();
        var time = new FakeTimeProvider(start);
        var services = _instances.Start(storage, time);
        return new Context(storage, services.GetRequiredService<SubscriptionStore>(), services.GetRequiredService<DigestStore>(), time,
            services.GetRequiredService<DigestScheduler>());
    }

    public void Dispose() => _instances.Dispose();

    [Theory]
    [InlineData("America/New_York", 3, 6, new[] { 13, 13, 12, 12 })] // US spring forward on Sunday 8 March
    [InlineData("Europe/Berlin", 3, 27, new[] { 7, 7, 6, 6 })]        // EU spring forward on Sunday 29 March
    [InlineData("America/New_York", 10, 30, new[] { 12, 12, 13, 13 })] // US fall back on Sunday 1 November
    [InlineData("Europe/Berlin", 10, 23, new[] { 6, 6, 7, 7 })]        // EU fall back on Sunday 25 October
    public async Task Daily_0800_is_queued_once_a_day_at_0800_local_across_a_dst_change(string zone, int month, int day, int[] utcHours)
    {
        // 05:00Z is before 08:00 local in both zones, so the day before is already behind us.
        var start = Utc(month, day, 5);
        var ctx = await CreateAsync(start);
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: zone, digestHour: 8);
        await ctx.Subscriptions.AddAsync(s);

        // Tick every 15 minutes for four days, as the timer would, and note when each digest is queued.
        var queued = new List<(DateTimeOffset At, DigestSendMessage Message)>();
        for (var now = start; now < start.AddDays(4); now = now.AddMinutes(15))
        {
            ctx.Time.SetUtcNow(now);
            var count = await ctx.Scheduler.HandleAsync();
            var messages = await ctx.DrainAsync();
            Assert.Equal(count, messages.Count);
            queued.AddRange(messages.Select(m => (now, m)));
        }

        Assert.Equal(4, queued.Count);
        for (var i = 0; i < 4; i++)
        {
            var date = start.AddDays(i);
            Assert.Equal(new DigestSendMessage(s.Id, $"daily-{date:yyyy-MM-dd}"), queued[i].Message);
            Assert.Equal(new DateTimeOffset(date.Year, date.Month, date.Day, utcHours[i], 0, 0, TimeSpan.Zero), queued[i].At);
            var local = TimeZoneInfo.ConvertTime(queued[i].At, TimeZoneInfo.FindSystemTimeZoneById(zone));
            Assert.Equal(8, local.Hour);
        }
    }

    [Fact]
    public async Task A_due_period_is_queued_once_even_over_many_ticks()
    {
        var ctx = await CreateAsync(Utc(11, 26, 12, 59)); // 07:59 in New York
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: "America/New_York", digestHour: 8);
        await ctx.Subscriptions.AddAsync(s);

        Assert.Equal(0, await ctx.Scheduler.HandleAsync());
        ctx.Time.SetUtcNow(Utc(11, 26, 13, 0));
        Assert.Equal(1, await ctx.Scheduler.HandleAsync());
        ctx.Time.SetUtcNow(Utc(11, 26, 13, 5));
        Assert.Equal(0, await ctx.Scheduler.HandleAsync());
        ctx.Time.SetUtcNow(Utc(11, 26, 23, 0));
        Assert.Equal(0, await ctx.Scheduler.HandleAsync());

        Assert.Equal([new DigestSendMessage(s.Id, "daily-2026-11-26")], await ctx.DrainAsync());
        var row = await ctx.Digests.GetAsync(s.Id, "daily-2026-11-26");
        Assert.Equal(DigestState.Scheduled, row?.State);
    }

    [Fact]
    public async Task Hourly_and_weekly_are_queued_per_period_and_others_are_left_alone()
    {
        var ctx = await CreateAsync(Utc(11, 23, 9, 10)); // Monday 10:10 in Berlin
        var hourly = DigestTestData.Subscription(Frequency.Hourly, timeZone: "Europe/Berlin");
        var weekly = DigestTestData.Subscription(Frequency.Weekly, timeZone: "Europe/Berlin", digestHour: 10, digestDay: DayOfWeek.Monday);
        var instant = DigestTestData.Subscription(Frequency.Instant);
        var paused = DigestTestData.Subscription(Frequency.Hourly, SubscriptionStatus.Paused);
        var pending = DigestTestData.Subscription(Frequency.Hourly, SubscriptionStatus.Pending);
        var unsubscribed = DigestTestData.Subscription(Frequency.Daily, SubscriptionStatus.Unsubscribed, digestHour: 0);
        foreach (var s in new[] { hourly, weekly, instant, paused, pending, unsubscribed })
            await ctx.Subscriptions.AddAsync(s);

        Assert.Equal(2, await ctx.Scheduler.HandleAsync());
        Assert.Equal(
            new[] { new DigestSendMessage(hourly.Id, "hourly-2026-11-23T09"), new DigestSendMessage(weekly.Id, "weekly-2026-11-23") }.OrderBy(m => m.SubscriptionId),
            (await ctx.DrainAsync()).OrderBy(m => m.SubscriptionId));

        ctx.Time.SetUtcNow(Utc(11, 23, 9, 50));
        Assert.Equal(0, await ctx.Scheduler.HandleAsync());

        ctx.Time.SetUtcNow(Utc(11, 23, 10, 0));
        Assert.Equal(1, await ctx.Scheduler.HandleAsync());
        Assert.Equal([new DigestSendMessage(hourly.Id, "hourly-2026-11-23T10")], await ctx.DrainAsync());

        // Next Monday 09:59 Berlin: the hourly one only; 10:00 brings the new week.
        ctx.Time.SetUtcNow(Utc(11, 30, 8, 59));
        Assert.Equal([new DigestSendMessage(hourly.Id, "hourly-2026-11-30T08")], await RunAsync(ctx));
        ctx.Time.SetUtcNow(Utc(11, 30, 9, 0));
        Assert.Equal(
            new[] { new DigestSendMessage(hourly.Id, "hourly-2026-11-30T09"), new DigestSendMessage(weekly.Id, "weekly-2026-11-30") }.OrderBy(m => m.SubscriptionId),
            (await RunAsync(ctx)).OrderBy(m => m.SubscriptionId));
    }

    private static async Task<List<DigestSendMessage>> RunAsync(Context ctx)
    {
        await ctx.Scheduler.HandleAsync();
        return await ctx.DrainAsync();
    }
}
