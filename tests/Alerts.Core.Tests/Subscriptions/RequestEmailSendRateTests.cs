using Alerts.Core.Tests.Digests;
using Alerts.Core.Email;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Feeds;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>
/// Confirmations and emailed manage links share the provider's rate with digests, across instances: past it, the
/// request waits in its queue (hidden until a token is due) instead of reaching the provider, which would throttle it
/// into retries and the poison queue. Waiting stores nothing and costs the address none of its daily emails. The two
/// emails sent while a manage page request waits (erase confirmation, fresh manage link) take a token too, and past the
/// rate send nothing: the page says so (SubscriberApiTests has the erase confirmation's 503 with Retry-After).
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class RequestEmailSendRateTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);
    private readonly CoreInstances _instances = new();
    private readonly RecordingEmailSender _emails = new();
    private readonly FakeTimeProvider _time = new(Now);
    private AlertsStorage _storage = null!;

    public void Dispose() => _instances.Dispose();

    /// <summary>One email a minute for all instances together.</summary>
    private async Task<IServiceProvider> StartAsync()
    {
        _storage = await azurite.ResetAsync();
        var settings = DigestTestData.Settings();
        settings["Smtp:FromAddress"] = "alerts@alerts.example.org";
        settings["SendRate:PerMinute"] = "1";
        return _instances.Start(_storage, _time, settings, s => s.AddSingleton<IEmailSender>(_emails));
    }

    private async Task<int> WaitingAsync(string queue) =>
        (await _storage.Queue(queue).GetPropertiesAsync()).Value.ApproximateMessagesCount;

    [Fact]
    public async Task A_confirmation_past_the_send_rate_waits_in_its_queue_and_is_sent_once_a_token_is_due()
    {
        var services = await StartAsync();
        var handler = services.GetRequiredService<SubscribeHandler>();
        var second = new SubscribeRequest("bob@example.test", "asylum", "daily");

        await handler.SubscribeAsync(new SubscribeRequest("jane@example.test", "DACA", "daily"));
        await handler.SubscribeAsync(second);

        Assert.Single(_emails.Sent);
        Assert.Equal(1, await WaitingAsync(QueueNames.SubscribeRequest));
        Assert.Empty((await _storage.Queue(QueueNames.SubscribeRequest).PeekMessagesAsync()).Value); // hidden until a token is due
        Assert.Empty(await services.GetRequiredService<SubscriptionStore>().ListByEmailAsync("bob@example.test"));

        // The queued copy, delivered a minute later, sends it; the wait took none of the address's daily emails.
        _time.Advance(TimeSpan.FromMinutes(1));
        await handler.SubscribeAsync(second);

        Assert.Equal(2, _emails.Sent.Count);
        Assert.Contains(_emails.Sent[1].To.Mailboxes, m => m.Address == "bob@example.test");
        Assert.Single(await services.GetRequiredService<SubscriptionStore>().ListByEmailAsync("bob@example.test"));
    }

    [Fact]
    public async Task A_manage_link_past_the_send_rate_waits_in_its_queue_and_is_sent_once_a_token_is_due()
    {
        var services = await StartAsync();
        var store = services.GetRequiredService<SubscriptionStore>();
        await store.AddAsync(DigestTestData.Subscription(email: "jane@example.test"));
        var sender = services.GetRequiredService<ManageLinkSender>();

        await sender.SendAsync(new ManageLinkRequest("jane@example.test"));
        await sender.SendAsync(new ManageLinkRequest("jane@example.test"));

        Assert.Single(_emails.Sent);
        Assert.Equal(1, await WaitingAsync(QueueNames.ManageLinkRequest));
        _time.Advance(TimeSpan.FromMinutes(1));
        await sender.SendAsync(new ManageLinkRequest("jane@example.test"));
        Assert.Equal(2, _emails.Sent.Count);
    }

    [Fact]
    public async Task Revoking_links_past_the_send_rate_revokes_them_and_sends_no_fresh_link_until_a_token_is_due()
    {
        var services = await StartAsync();
        var store = services.GetRequiredService<SubscriptionStore>();
        var jane = DigestTestData.Subscription(email: "jane@example.test");
        await store.AddAsync(jane);
        var manage = services.GetRequiredService<ManageHandler>();
        var links = services.GetRequiredService<SubscriptionTokens>();
        var oldLink = links.Create(jane.Id, TokenPurpose.Manage);
        Assert.Null(await services.GetRequiredService<SendRateLimiter>().TryTakeAsync()); // another email took the minute's token
        _time.Advance(TimeSpan.FromSeconds(1));

        var context = (await manage.OpenAsync(oldLink))!;
        Assert.False(await manage.RevokeLinksAsync(context));

        Assert.Empty(_emails.Sent);
        Assert.Null(await manage.OpenAsync(oldLink)); // revoked all the same
        Assert.NotNull(await manage.RequestDeleteAllAsync(context)); // and an erase confirmation waits too
        Assert.Empty(_emails.Sent);

        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(await manage.RevokeLinksAsync(context));
        Assert.Single(_emails.Sent);
    }
}
