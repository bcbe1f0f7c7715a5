using System.Globalization;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>The abuse limits as an attacker would try to walk around them, on real Azurite.</summary>
[Collection(StorageCollection.Name)]
public sealed class SharedRateLimiterTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    private readonly CoreInstances _instances = new();

    public void Dispose() => _instances.Dispose();

    /// <summary>One instance's limiter: its own services (as the hosts register them) on the shared storage.</summary>
    private SubscribeRateLimiter Limiter(AlertsStorage storage, TimeProvider time, int perAddressPerDay = 2) =>
        _instances.Start(storage, time, new Dictionary<string, string?>
        {
            ["SubscribeLimits:PerAddressPerDay"] = perAddressPerDay.ToString(CultureInfo.InvariantCulture),
            ["Tokens:SigningKey"] = "rate-limit-test-signing-key-0123456789abcdef",
        }).GetRequiredService<SubscribeRateLimiter>();

    [Fact]
    public async Task The_address_limit_counts_per_mailbox_whatever_the_case_or_plus_tag_and_resets_after_a_day()
    {
        var storage = await azurite.ResetAsync();
        var time = new FakeTimeProvider(Now);
        var limiter = Limiter(storage, time);

        Assert.True(await limiter.AllowAddressAsync("victim@example.test"));
        Assert.True(await limiter.AllowAddressAsync(" VICTIM+1@example.test"));
        Assert.False(await limiter.AllowAddressAsync("victim+8@Example.test"));
        Assert.True(await limiter.AllowAddressAsync("bob@example.test"));
        time.Advance(TimeSpan.FromDays(1));
        Assert.True(await limiter.AllowAddressAsync("victim@example.test"));
    }

    [Fact]
    public async Task Two_limiters_on_one_storage_account_share_one_count_even_when_they_race()
    {
        var storage = await azurite.ResetAsync();
        var time = new FakeTimeProvider(Now);
        var a = Limiter(storage, time, perAddressPerDay: 7);
        var b = Limiter(storage, time, perAddressPerDay: 7);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(i => (i % 2 == 0 ? a : b).AllowAddressAsync("jane@example.test")));

        Assert.Equal(7, results.Count(allowed => allowed));
    }

    [Fact]
    public async Task A_key_keeps_one_counter_row_however_many_windows_it_is_used_in()
    {
        var storage = await azurite.ResetAsync();
        var time = new FakeTimeProvider(Now);
        var limiter = Limiter(storage, time);

        for (var day = 0; day < 5; day++, time.Advance(TimeSpan.FromDays(1)))
            await limiter.AllowAddressAsync("jane@example.test");

        var rows = 0;
        await foreach (var _ in storage.Table(TableNames.RateLimits).QueryAsync<Azure.Data.Tables.TableEntity>())
            rows++;
        Assert.Equal(1, rows);
    }

    [Fact]
    public void The_client_is_the_connection_never_a_forwarded_header_it_sent()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("10.0.0.1");
        context.Request.Headers["X-Forwarded-For"] = "1.2.3.4, 203.0.113.9";

        Assert.Equal("10.0.0.1", SubscribeRateLimiter.ClientAddress(context.Request, new FrontEndOptions()));
    }

    [Fact]
    public void Behind_the_functions_front_end_the_client_is_the_entry_the_front_end_appended()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Loopback;
        context.Request.Headers["X-Forwarded-For"] = "1.2.3.4, 203.0.113.9:51234";

        Assert.Equal("203.0.113.9", SubscribeRateLimiter.ClientAddress(context.Request, new FrontEndOptions { BehindPlatformFrontEnd = true }));
    }

    [Fact]
    public void IPv6_clients_are_counted_per_64_block()
    {
        var context = new DefaultHttpContext();
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("2001:db8:1:2:aaaa::1");
        var first = SubscribeRateLimiter.ClientAddress(context.Request, new FrontEndOptions());
        context.Connection.RemoteIpAddress = System.Net.IPAddress.Parse("2001:db8:1:2:bbbb::9");

        Assert.Equal(first, SubscribeRateLimiter.ClientAddress(context.Request, new FrontEndOptions()));
    }
}
