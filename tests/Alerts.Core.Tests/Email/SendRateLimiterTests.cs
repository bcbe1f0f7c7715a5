using System.Globalization;
using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Delivery;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Email;

/// <summary>The global send rate, shared through storage by every instance, and what digest-send does when it is reached.</summary>
[Collection(StorageCollection.Name)]
public sealed class SendRateLimiterTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private readonly CoreInstances _instances = new();

    public void Dispose() => _instances.Dispose();

    /// <summary>One instance's limiter: its own services (as the hosts register them) on the storage given.</summary>
    private SendRateLimiter Limiter(AlertsStorage storage, TimeProvider time, int perMinute, int perHour) =>
        _instances.Start(storage, time, new Dictionary<string, string?>
        {
            ["SendRate:PerMinute"] = perMinute.ToString(CultureInfo.InvariantCulture),
            ["SendRate:PerHour"] = perHour.ToString(CultureInfo.InvariantCulture),
        }).GetRequiredService<SendRateLimiter>();

    [Fact]
    public async Task Three_instances_racing_for_tokens_send_no_more_than_the_limits_together_and_get_more_as_the_window_refills()
    {
        var storage = await azurite.ResetAsync();
        var time = new FakeTimeProvider(Now);
        // Each instance with its own clients, as separate processes would have.
        var instances = Enumerable.Range(0, 3).Select(_ => Limiter(AlertsStorage.FromConnectionString(azurite.ConnectionString), time, 5, 7)).ToList();

        var first = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => instances[i % 3].TryTakeAsync()));
        Assert.Equal(5, first.Count(wait => wait is null));
        // Told to wait about one token's refill (60 s / 5), not failed.
        Assert.All(first.Where(w => w is not null), w => Assert.InRange(w!.Value, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(12)));

        // A minute later the minute bucket is full again, but only two of the hour's seven are left.
        time.Advance(TimeSpan.FromMinutes(1));
        var second = await Task.WhenAll(Enumerable.Range(0, 10).Select(i => instances[i % 3].TryTakeAsync()));
        Assert.Equal(2, second.Count(wait => wait is null));
        Assert.All(second.Where(w => w is not null), w => Assert.True(w!.Value > TimeSpan.FromMinutes(1), $"waits {w}"));
    }

    [Fact]
    public async Task With_no_limit_configured_the_limiter_touches_no_storage()
    {
        var storage = await azurite.ResetAsync();
        var limiter = Limiter(storage, new FakeTimeProvider(Now), 0, 0);
        for (var i = 0; i < 100; i++)
            Assert.Null(await limiter.TryTakeAsync());
        Assert.Empty(await storage.Table(TableNames.SendRate).QueryAsync<Azure.Data.Tables.TableEntity>().ToListAsync());
    }

    [Fact]
    public async Task Instant_alerts_past_the_send_rate_wait_hidden_in_the_queue_and_each_arrives_once_without_a_failed_attempt()
    {
        await using var host = await DeliveryHarness.StartAsync(azurite, Now, new Dictionary<string, string?>
        {
            // 30 a minute: one token every 2 s, so the emails past the burst wait seconds, not minutes.
            ["SendRate:PerMinute"] = "30",
        });
        var subscribers = new List<Subscription>();
        for (var i = 0; i < 33; i++)
            subscribers.Add(await host.SubscribeAsync($"reader{i}@example.com", "DACA", Frequency.Instant));
        await host.PublishAsync("story", "Court rules on DACA", "About DACA.");

        // Match, then the batch of 33 instant alerts: 30 go out, 3 wait for the rate.
        await host.PumpOnceAsync();
        await host.PumpOnceAsync();
        Assert.Equal(30, host.Emails().Count);
        Assert.Equal(3, await host.TotalMessagesAsync());
        Assert.Empty(host.Failures);
        foreach (var s in subscribers)
            if (await host.Get<DigestStore>().ListAsync(s.Id) is { Count: > 0 } rows)
                Assert.All(rows, r => Assert.Equal(0, r.Attempts)); // waiting for the rate is not a failed attempt

        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        var emails = host.Emails();
        Assert.Equal(33, emails.Count);
        Assert.Equal(33, emails.Select(e => e.To).Distinct().Count());
        Assert.Empty(host.Failures);
        Assert.Equal(0, (await host.Storage.Queue(QueueNames.Poison(QueueNames.DigestSend)).GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }
}
