using Alerts.Core.Digests;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Azure.Data.Tables;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Digests;

[Collection(StorageCollection.Name)]
public sealed class DigestDueIndexTests(AzuriteFixture fixture) : IDisposable
{
    private readonly CoreInstances _instances = new();

    private static readonly DateTimeOffset Start = new(2026, 3, 2, 5, 0, 0, TimeSpan.Zero); // a Monday, 05:00Z

    private sealed record Context(AlertsStorage Storage, StorageTransactionCounter Counter, SubscriptionStore Subscriptions,
        FakeTimeProvider Time, DigestScheduler Scheduler, DigestDueIndex Index)
    {
        public async Task<int> TickAsync(DateTimeOffset at)
        {
            Time.SetUtcNow(at);
            var queued = await Scheduler.HandleAsync();
            var queue = Storage.Queue(QueueNames.DigestSend);
            while ((await queue.ReceiveMessagesAsync(32)).Value is { Length: > 0 } batch)
                foreach (var m in batch)
                    await queue.DeleteMessageAsync(m.MessageId, m.PopReceipt);
            return queued;
        }

        public async Task<List<(string Partition, string Id)>> RowsAsync()
        {
            var rows = new List<(string, string)>();
            await foreach (var e in Storage.Table(TableNames.DigestDue).QueryAsync<TableEntity>())
                rows.Add((e.PartitionKey, e.RowKey));
            return rows;
        }
    }

    /// <summary>
    /// A Core graph on storage that counts its transactions. The index itself is built on the graph's storage, as the
    /// scheduler and the snapshot writer build theirs: no host registers it.
    /// </summary>
    private async Task<Context> CreateAsync()
    {
        await fixture.ResetAsync();
        var counter = new StorageTransactionCounter();
        var storage = AlertsStorage.FromConnectionString(fixture.ConnectionString, counter);
        var time = new FakeTimeProvider(Start);
        var services = _instances.Start(storage, time);
        return new Context(storage, counter, services.GetRequiredService<SubscriptionStore>(), time,
            services.GetRequiredService<DigestScheduler>(), new DigestDueIndex(storage));
    }

    public void Dispose() => _instances.Dispose();

    [Fact]
    public async Task A_tick_costs_the_same_with_two_hundred_subscriptions_that_are_not_due_as_with_none()
    {
        var ctx = await CreateAsync();
        var due = DigestTestData.Subscription(Frequency.Daily, timeZone: "UTC", digestHour: 9, email: "due@example.com");
        await ctx.Subscriptions.AddAsync(due);
        await ctx.TickAsync(Start); // places the row at 09:00
        ctx.Counter.Reset();
        Assert.Equal(1, await ctx.TickAsync(Start.AddHours(4)));
        var alone = ctx.Counter["table"];

        var ctx2 = await CreateAsync();
        var due2 = due with { Id = SubscriptionStore.NewId() };
        await ctx2.Subscriptions.AddAsync(due2);
        for (var i = 0; i < 200; i++)
            await ctx2.Subscriptions.AddAsync(DigestTestData.Subscription(Frequency.Daily, timeZone: "UTC", digestHour: 18, email: $"r{i}@example.com"));
        await ctx2.TickAsync(Start); // places all 201 rows at their due minutes
        ctx2.Counter.Reset();
        Assert.Equal(1, await ctx2.TickAsync(Start.AddHours(4)));

        // Range query, point read, claim, move: the 200 subscriptions due at 18:00 are not read at 09:00.
        Assert.Equal(alone, ctx2.Counter["table"]);
        Assert.True(alone <= 6, $"a tick with one due digest took {alone} table transactions");
    }

    [Fact]
    public async Task A_queued_digest_moves_its_row_to_the_next_due_minute()
    {
        var ctx = await CreateAsync();
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: "UTC", digestHour: 8);
        await ctx.Subscriptions.AddAsync(s);
        Assert.Equal([(DigestDueIndex.Unplaced, s.Id)], await ctx.RowsAsync());

        await ctx.TickAsync(Start);
        Assert.Equal([("202603020800", s.Id)], await ctx.RowsAsync());
        Assert.Equal(1, await ctx.TickAsync(Start.AddHours(3)));
        Assert.Equal([("202603030800", s.Id)], await ctx.RowsAsync());
        Assert.Equal(0, await ctx.TickAsync(Start.AddHours(4)));
    }

    [Fact]
    public async Task Editing_pausing_and_resuming_keep_the_index_in_step()
    {
        var ctx = await CreateAsync();
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: "UTC", digestHour: 8);
        await ctx.Subscriptions.AddAsync(s);
        await ctx.TickAsync(Start);

        // A new hour: the old row is left behind and dropped when it comes up; the new one is placed on the next tick.
        await ctx.Subscriptions.UpsertAsync(s with { DigestHour = 10 });
        await ctx.TickAsync(Start.AddMinutes(1));
        Assert.Equal(0, await ctx.TickAsync(Start.AddHours(3)));
        Assert.Equal([("202603021000", s.Id)], await ctx.RowsAsync());
        Assert.Equal(1, await ctx.TickAsync(Start.AddHours(5)));

        await ctx.Subscriptions.UpsertAsync(s with { DigestHour = 10, Status = SubscriptionStatus.Paused });
        Assert.Equal(0, await ctx.TickAsync(Start.AddDays(1).AddHours(5)));
        Assert.Empty(await ctx.RowsAsync());

        await ctx.Subscriptions.UpsertAsync(s with { DigestHour = 10 });
        Assert.Equal(0, await ctx.TickAsync(Start.AddDays(2)));
        Assert.Equal(1, await ctx.TickAsync(Start.AddDays(2).AddHours(5)));
    }

    [Fact]
    public async Task A_deleted_subscription_leaves_no_row_once_it_comes_up()
    {
        var ctx = await CreateAsync();
        var s = DigestTestData.Subscription(Frequency.Hourly);
        await ctx.Subscriptions.AddAsync(s);
        await ctx.Subscriptions.DeleteAsync(s);
        Assert.Equal(0, await ctx.TickAsync(Start));
        Assert.Empty(await ctx.RowsAsync());
    }

    [Fact]
    public async Task The_repair_job_refiles_a_subscription_whose_index_row_was_lost()
    {
        var ctx = await CreateAsync();
        var s = DigestTestData.Subscription(Frequency.Daily, timeZone: "UTC", digestHour: 8);
        var instant = DigestTestData.Subscription(Frequency.Instant);
        await ctx.Subscriptions.AddAsync(s);
        await ctx.Subscriptions.AddAsync(instant);
        await ctx.Index.RemoveAsync(s.Id, DigestDueIndex.Unplaced); // a write that failed between the two tables
        Assert.Equal(0, await ctx.TickAsync(Start.AddHours(3)));

        string[] activeDigests = [.. new[] { s, instant }.Where(DigestDueIndex.IsDigest).Select(x => x.Id)];
        Assert.Equal([s.Id], activeDigests);
        Assert.Equal(1, await ctx.Index.RepairAsync(activeDigests));
        Assert.Equal(0, await ctx.Index.RepairAsync(activeDigests));
        Assert.Equal(1, await ctx.TickAsync(Start.AddHours(3).AddMinutes(1)));
    }

    [Theory]
    [InlineData(Frequency.Daily, "America/New_York", 0, "2026-03-07T05:00Z", "2026-03-08T05:00Z")]  // midnight before spring forward
    [InlineData(Frequency.Daily, "America/New_York", 23, "2026-03-08T04:00Z", "2026-03-09T03:00Z")] // 23:00 EST, then 23:00 EDT
    [InlineData(Frequency.Daily, "Europe/Berlin", 2, "2026-03-28T01:00Z", "2026-03-29T01:00Z")]     // 02:00 is skipped: 03:00 CEST
    [InlineData(Frequency.Daily, "America/New_York", 1, "2026-10-31T05:00Z", "2026-11-01T05:00Z")]  // 01:00 twice: the first
    [InlineData(Frequency.Weekly, "Asia/Kathmandu", 8, "2026-03-02T02:15Z", "2026-03-09T02:15Z")]
    [InlineData(Frequency.Hourly, "UTC", 8, "2026-03-02T23:00Z", "2026-03-03T00:00Z")]
    public void The_next_due_time_is_the_very_next_period(Frequency frequency, string zone, int hour, string dueAt, string next)
    {
        var s = DigestTestData.Subscription(frequency, timeZone: zone, digestHour: hour, digestDay: DayOfWeek.Monday);
        var due = DateTimeOffset.Parse(dueAt, System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(due, DigestSchedule.Current(s, due)!.DueAt);
        Assert.Equal(DateTimeOffset.Parse(next, System.Globalization.CultureInfo.InvariantCulture), DigestDueIndex.NextDueAt(s, due));
    }
}
