using System.Net;
using System.Text;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Alerts.LocalHost.Tests;

/// <summary>
/// Timing revealed subscriptions (about 20 ms for an address that already followed the query, 284 ms for one that
/// did not). Now the answer path does the same work for every valid request: one limiter check and one queue write;
/// the lookup, the limit per address and the email happen after the answer.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class ConstantTimeAnswerTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Subscribe_answers_without_looking_the_address_up_so_existing_and_new_addresses_get_the_same_answer()
    {
        await using var app = await BuiltNotStartedAsync();
        var store = app.Services.GetRequiredService<SubscriptionStore>();
        await store.UpsertAsync(new Subscription(SubscriptionStore.NewId(), "jane@example.test", "DACA", Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UtcNow));

        var existing = await PostAsync(app.Services, "jane@example.test");
        var fresh = await PostAsync(app.Services, "new@example.test");

        Assert.Equal(StatusCodes.Status202Accepted, existing.Status);
        Assert.Equal(fresh, existing);
        var storage = app.Services.GetRequiredService<AlertsStorage>();
        Assert.Equal(2, (await storage.Queue(QueueNames.SubscribeRequest).PeekMessagesAsync(10)).Value.Length);
        var rows = 0;
        await foreach (var _ in store.ListAsync())
            rows++;
        Assert.Equal(1, rows); // nothing stored or looked up yet: the queue does that
    }

    [Fact]
    public async Task Email_me_a_link_answers_without_looking_the_address_up_so_subscribers_and_strangers_get_the_same_answer()
    {
        await using var app = await BuiltNotStartedAsync();
        await app.Services.GetRequiredService<SubscriptionStore>().UpsertAsync(new Subscription(SubscriptionStore.NewId(), "jane@example.test", "DACA",
            Frequency.Daily, SubscriptionStatus.Active, DateTimeOffset.UtcNow, ConfirmedAt: DateTimeOffset.UtcNow));

        var subscriber = await PostManageLinkAsync(app.Services, "jane@example.test");
        var stranger = await PostManageLinkAsync(app.Services, "new@example.test");

        Assert.Equal(StatusCodes.Status200OK, subscriber.Status);
        Assert.Equal(stranger, subscriber);
        var storage = app.Services.GetRequiredService<AlertsStorage>();
        Assert.Equal(2, (await storage.Queue(QueueNames.ManageLinkRequest).PeekMessagesAsync(10)).Value.Length);
    }

    /// <summary>
    /// The local host built on fresh storage but not started: no queue listener runs, so what the answer path did is
    /// all there is to see.
    /// </summary>
    private async Task<WebApplication> BuiltNotStartedAsync()
    {
        await azurite.ResetAsync();
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Tokens:SigningKey"] = "constant-time-test-signing-key-0123456789abcdef",
            ["Admin:ApiKey"] = "constant-time-admin-key",
        };
        var app = LocalApp.Build(new LocalAppOptions(settings, FreePort.Next(), RunTriggers: false));
        await LocalApp.PrepareStorageAsync(app);
        return app;
    }

    private static async Task<(int Status, string Body)> PostManageLinkAsync(IServiceProvider services, string email)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Method = "POST";
        context.Request.ContentType = "application/x-www-form-urlencoded";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes("email=" + Uri.EscapeDataString(email)));
        context.Response.Body = new MemoryStream();

        var result = await services.GetRequiredService<SubscriptionEndpoints>().ManageLinkAsync(context.Request);
        await result.ExecuteAsync(context);

        context.Response.Body.Position = 0;
        // The form echoes nothing on the answer page, so the bodies compare as they are.
        return (context.Response.StatusCode, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }

    private static async Task<(int Status, string Body)> PostAsync(IServiceProvider services, string email)
    {
        var context = new DefaultHttpContext { RequestServices = services };
        context.Connection.RemoteIpAddress = IPAddress.Loopback;
        context.Request.Method = "POST";
        context.Request.ContentType = "application/json";
        context.Request.Body = new MemoryStream(Encoding.UTF8.GetBytes($"{{\"email\":\"{email}\",\"query\":\"DACA\",\"frequency\":\"daily\"}}"));
        context.Response.Body = new MemoryStream();

        var result = await services.GetRequiredService<SubscriptionEndpoints>().PostAsync(context.Request);
        await result.ExecuteAsync(context);

        context.Response.Body.Position = 0;
        return (context.Response.StatusCode, await new StreamReader(context.Response.Body).ReadToEndAsync());
    }
}
