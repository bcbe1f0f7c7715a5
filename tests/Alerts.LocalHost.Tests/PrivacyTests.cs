using System.Net;
using System.Text.Json;
using Alerts.Core.Email;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Alerts.LocalHost.Tests;

/// <summary>What we keep about an address, what we hand back, and which keys never leave a developer's machine.</summary>
[Collection(StorageCollection.Name)]
public sealed class PrivacyTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task A_used_confirm_token_opens_nothing_and_mints_no_manage_link()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);
        var token = host.Service<SubscriptionTokens>().Create(subscription.Id, TokenPurpose.Confirm);

        var again = await host.ConfirmAsync(token);
        var page = await host.Http.GetAsync("/confirm?token=" + Uri.EscapeDataString(token));

        Assert.Equal(HttpStatusCode.BadRequest, again.StatusCode);
        Assert.DoesNotContain("/manage?token=", await again.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.BadRequest, page.StatusCode);
    }

    [Fact]
    public async Task The_export_includes_the_match_history()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);
        await host.Service<MatchStore>().TryAddAsync(new MatchRecord(subscription.Id, "feed1_item1", LocalHostHarness.Start, []));
        var token = host.Service<SubscriptionTokens>().Create(subscription.Id, TokenPurpose.Manage);

        using var export = JsonDocument.Parse(await host.Http.GetStringAsync("/manage/export?token=" + Uri.EscapeDataString(token)));

        var exported = export.RootElement.GetProperty("subscriptions")[0];
        Assert.Equal("feed1_item1", exported.GetProperty("matches")[0].GetProperty("articleId").GetString());
        Assert.True(exported.TryGetProperty("digests", out _));
    }

    [Fact]
    public async Task The_export_includes_the_address_s_bounces_and_deleting_all_data_removes_them()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);
        var deliveries = host.Service<DeliveryStore>();
        await deliveries.RecordHardBounceAsync(subscription.Email, "550 5.1.1 mailbox unavailable", LocalHostHarness.Start, suppressAfter: 3);
        await deliveries.RecordHardBounceAsync("bob@example.test", "550 5.1.1 mailbox unavailable", LocalHostHarness.Start, suppressAfter: 3);
        var tokens = host.Service<SubscriptionTokens>();
        await host.Service<SubscriptionStore>().Revocations.RevokeAsync(subscription.Email, host.Clock.GetUtcNow().AddMinutes(-1));

        using var export = JsonDocument.Parse(await host.Http.GetStringAsync(
            "/manage/export?token=" + Uri.EscapeDataString(tokens.Create(subscription.Id, TokenPurpose.Manage))));
        var delivery = export.RootElement.GetProperty("delivery");
        Assert.Equal(1, delivery.GetProperty("hardBounces").GetInt32());
        Assert.Equal("550 5.1.1 mailbox unavailable", delivery.GetProperty("lastReply").GetString());

        var deleted = await host.Http.PostAsync("/manage/delete", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = tokens.Create(subscription.Id, TokenPurpose.DeleteAll),
        }));

        Assert.Equal(HttpStatusCode.OK, deleted.StatusCode);
        Assert.Null(await deliveries.GetBouncesAsync(subscription.Email));
        // Nothing is left in the address's partition of the index either (subscriptions or a link revocation).
        var partition = Alerts.Core.Storage.TableNames.SubscriptionsByAddress;
        await foreach (var row in host.Service<Alerts.Core.Storage.AlertsStorage>().Table(partition).QueryAsync<Azure.Data.Tables.TableEntity>())
            Assert.NotEqual(SubscriptionStore.AddressKey(subscription.Email), row.PartitionKey);
        Assert.NotNull(await deliveries.GetBouncesAsync("bob@example.test"));
    }

    [Theory]
    [InlineData("Tokens:SigningKey", SampleKeys.SigningKey)]
    [InlineData("Admin:ApiKey", SampleKeys.AdminKey)]
    public async Task The_app_refuses_to_start_in_azure_with_a_sample_key(string setting, string sample)
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Tokens:SigningKey"] = "a-real-signing-key-from-key-vault-0123456789",
            ["Admin:ApiKey"] = "a-real-admin-key",
            ["WEBSITE_SITE_NAME"] = "alerts-prod",
            [setting] = sample,
        };
        await using var app = LocalApp.Build(new LocalAppOptions(settings, FreePort.Next(), RunTriggers: false));

        var refused = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("sample", refused.Message);
    }

    [Fact]
    public async Task Locally_the_sample_keys_are_fine()
    {
        var settings = new Dictionary<string, string?>
        {
            ["AzureWebJobsStorage"] = azurite.ConnectionString,
            ["Tokens:SigningKey"] = SampleKeys.SigningKey,
            ["Admin:ApiKey"] = SampleKeys.AdminKey,
        };
        await using var app = LocalApp.Build(new LocalAppOptions(settings, FreePort.Next(), RunTriggers: false));

        await app.StartAsync();
        await app.StopAsync();
    }
}
