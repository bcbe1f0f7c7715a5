using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>Bad input gets a 400 problem+json that names the field, and nothing is stored or sent.</summary>
[Collection(StorageCollection.Name)]
public sealed class SubscriptionApiTests(AzuriteFixture azurite)
{
    public static TheoryData<string, string> BadRequests => new()
    {
        { "{\"email\": \"jane@example.test\", \"query\": \"DACA\"", "body" },
        { "not json at all", "body" },
        { "{\"query\": \"DACA\", \"frequency\": \"daily\"}", "email" },
        { "{\"email\": \"jane.example.test\", \"query\": \"DACA\", \"frequency\": \"daily\"}", "email" },
        { "{\"email\": \"jane@example.test\", \"query\": \"\", \"frequency\": \"daily\"}", "query" },
        { "{\"email\": \"jane@example.test\", \"query\": \"" + new string('a', 1000) + "\", \"frequency\": \"daily\"}", "query" },
        { "{\"email\": \"jane@example.test\", \"query\": \"(DACA\", \"frequency\": \"daily\"}", "query" },
        { "{\"email\": \"jane@example.test\", \"query\": \"DACA\", \"frequency\": \"fortnightly\"}", "frequency" },
        { "{\"email\": \"jane@example.test\", \"query\": \"DACA\"}", "frequency" },
    };

    [Theory]
    [MemberData(nameof(BadRequests))]
    public async Task Bad_input_is_a_400_problem_naming_the_field_and_stores_nothing(string body, string field)
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);

        var response = await host.Http.PostAsync("/api/subscriptions", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        using var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.True(problem.RootElement.GetProperty("errors").TryGetProperty(field, out var messages), $"errors should name '{field}'");
        Assert.False(string.IsNullOrWhiteSpace(messages[0].GetString()));
        await foreach (var _ in host.Service<SubscriptionStore>().ListAsync())
            Assert.Fail("nothing should be stored");
        Assert.Empty(host.Smtp.Messages);
    }

    [Fact]
    public async Task Subscribing_twice_answers_the_same_and_does_not_reveal_an_existing_subscription()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);

        var again = await host.Http.PostAsJsonAsync("/api/subscriptions", new { email = "jane@example.test", query = "DACA", frequency = "daily" });
        var fresh = await host.Http.PostAsJsonAsync("/api/subscriptions", new { email = "new@example.test", query = "DACA", frequency = "daily" });

        Assert.Equal(fresh.StatusCode, again.StatusCode);
        Assert.Equal(await fresh.Content.ReadAsStringAsync(), await again.Content.ReadAsStringAsync());
        await host.EmailToAsync("new@example.test");
        Assert.DoesNotContain(host.Smtp.Messages, m => m.To.Mailboxes.Any(a => a.Address == "jane@example.test"));
    }

    [Fact]
    public async Task Confirm_and_unsubscribe_links_do_nothing_on_GET_and_refuse_forged_tokens()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);
        var token = host.Service<SubscriptionTokens>().Create(subscription.Id, TokenPurpose.Unsubscribe);

        var page = await host.Http.GetAsync("/unsubscribe?token=" + Uri.EscapeDataString(token));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Equal(SubscriptionStatus.Active, (await host.Service<SubscriptionStore>().GetAsync(subscription.Id))!.Status);

        var forged = await host.Http.PostAsync("/unsubscribe?token=" + Uri.EscapeDataString(token[..^2] + "xx"), new StringContent(""));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        var confirmTokenUsedToUnsubscribe = host.Service<SubscriptionTokens>().Create(subscription.Id, TokenPurpose.Confirm);
        var wrongPurpose = await host.Http.PostAsync("/unsubscribe?token=" + Uri.EscapeDataString(confirmTokenUsedToUnsubscribe), new StringContent(""));
        Assert.Equal(HttpStatusCode.BadRequest, wrongPurpose.StatusCode);
        Assert.Equal(SubscriptionStatus.Active, (await host.Service<SubscriptionStore>().GetAsync(subscription.Id))!.Status);
    }

    [Fact]
    public async Task Admin_feed_routes_refuse_calls_without_the_admin_key()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);

        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.GetAsync("/api/admin/feeds")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.GetAsync("/api/admin/feeds?code=wrong")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await host.Http.PostAsJsonAsync("/api/admin/feeds", new { url = "https://x.test/feed" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/api/admin/feeds?code=" + LocalHostHarness.AdminKey)).StatusCode);
    }
}
