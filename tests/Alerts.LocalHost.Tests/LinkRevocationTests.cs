using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace Alerts.LocalHost.Tests;

/// <summary>"Revoke all my links" on the manage page: the address's earlier links stop working, a fresh one is emailed.</summary>
[Collection(StorageCollection.Name)]
public sealed partial class LinkRevocationTests(AzuriteFixture azurite)
{
    private const string Jane = "jane@example.test";
    private const string Bob = "bob@example.test";

    [Fact]
    public async Task After_revoking_the_old_manage_and_unsubscribe_links_are_refused_the_emailed_link_works_and_another_address_is_unaffected()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var bobs = await host.SubscribeAndConfirmAsync("asylum", Frequency.Daily, Bob);
        var tokens = host.Service<SubscriptionLinks>().Tokens;
        var oldManage = tokens.Create(daca.Id, TokenPurpose.Manage);
        var oldUnsubscribe = tokens.Create(daca.Id, TokenPurpose.Unsubscribe);
        var legacyManage = LegacyToken(host, daca.Id, TokenPurpose.Manage);
        var bobsManage = tokens.Create(bobs.Id, TokenPurpose.Manage);
        // A link made before links carried their issue time works until the address revokes.
        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/manage?token=" + Uri.EscapeDataString(legacyManage))).StatusCode);
        host.Clock.Advance(TimeSpan.FromMinutes(5));

        var revoked = await Post(host, "/manage", oldManage, "revoke-links");

        Assert.Equal(HttpStatusCode.OK, revoked.StatusCode);
        Assert.Contains("All your links are revoked", await revoked.Content.ReadAsStringAsync());
        foreach (var old in new[] { oldManage, legacyManage })
            Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.GetAsync("/manage?token=" + Uri.EscapeDataString(old))).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(host, "/manage", oldManage, "pause", daca.Id)).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await Post(host, "/unsubscribe", oldUnsubscribe)).StatusCode);
        Assert.Equal(SubscriptionStatus.Active, (await host.Service<SubscriptionStore>().GetAsync(daca.Id))!.Status);

        var email = await host.EmailToAsync(Jane);
        Assert.Contains("new", email.Subject, StringComparison.OrdinalIgnoreCase);
        var fresh = Uri.UnescapeDataString(ManageLink().Match(email.TextBody ?? "").Groups["token"].Value);
        var page = await host.Http.GetAsync("/manage?token=" + Uri.EscapeDataString(fresh));
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        Assert.Contains("DACA", await page.Content.ReadAsStringAsync());
        // Links made from now on (digests, unsubscribe) work too.
        Assert.Equal(HttpStatusCode.OK, (await Post(host, "/unsubscribe", tokens.Create(daca.Id, TokenPurpose.Unsubscribe))).StatusCode);
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await host.Service<SubscriptionStore>().GetAsync(daca.Id))!.Status);

        Assert.Equal(HttpStatusCode.OK, (await host.Http.GetAsync("/manage?token=" + Uri.EscapeDataString(bobsManage))).StatusCode);
        Assert.Single(host.Smtp.Messages);
    }

    [Fact]
    public async Task The_fresh_link_counts_against_the_per_address_email_limit_and_the_links_are_revoked_even_when_it_is_held_back()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite);
        var daca = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily, Jane);
        var tokens = host.Service<SubscriptionLinks>().Tokens;
        var limit = host.Service<IOptions<SubscribeLimitOptions>>().Value.PerAddressPerDay;
        var sent = 0;
        // The confirmation already took one of today's emails; revoke until the limit holds the fresh link back.
        for (var i = 0; i < limit + 1; i++)
        {
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            var manage = tokens.Create(daca.Id, TokenPurpose.Manage);
            host.Clock.Advance(TimeSpan.FromSeconds(1));
            Assert.Equal(HttpStatusCode.OK, (await Post(host, "/manage", manage, "revoke-links")).StatusCode);
            Assert.Equal(HttpStatusCode.BadRequest, (await host.Http.GetAsync("/manage?token=" + Uri.EscapeDataString(manage))).StatusCode);
            sent = host.Smtp.Messages.Count;
        }
        Assert.Equal(limit - 1, sent);
    }

    private static Task<HttpResponseMessage> Post(LocalHostHarness host, string path, string token, string? action = null, string? id = null)
    {
        var form = new Dictionary<string, string> { ["token"] = token };
        if (action is not null)
            form["action"] = action;
        if (id is not null)
            form["id"] = id;
        return host.Http.PostAsync(path, new FormUrlEncodedContent(form));
    }

    /// <summary>A token in the format used before tokens carried their issue time: "purpose|id|expires", signed.</summary>
    private static string LegacyToken(LocalHostHarness host, string subscriptionId, TokenPurpose purpose)
    {
        var key = Encoding.UTF8.GetBytes(host.Service<IOptions<TokenOptions>>().Value.SigningKey);
        var payload = Encoding.UTF8.GetBytes($"{(int)purpose}|{subscriptionId}|{host.Clock.GetUtcNow().AddDays(30).ToUnixTimeSeconds()}");
        static string B64(byte[] b) => Convert.ToBase64String(b).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return B64(payload) + "." + B64(HMACSHA256.HashData(key, payload));
    }

    [GeneratedRegex(@"/manage\?token=(?<token>[A-Za-z0-9_\-.%]+)")]
    private static partial Regex ManageLink();
}
