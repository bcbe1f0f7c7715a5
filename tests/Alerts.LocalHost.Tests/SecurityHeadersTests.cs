using System.Net;
using System.Text.RegularExpressions;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.LocalHost.Tests;

/// <summary>Every page and API answer carries the security headers; pages reached by a token are never cached.</summary>
[Collection(StorageCollection.Name)]
public sealed partial class SecurityHeadersTests(AzuriteFixture azurite)
{
    [Fact]
    public async Task Every_route_sends_a_csp_without_inline_script_and_the_other_security_headers()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);
        var subscription = await host.SubscribeAndConfirmAsync("DACA", Frequency.Daily);
        var manage = host.Service<SubscriptionTokens>().Create(subscription.Id, TokenPurpose.Manage);
        var paths = new[]
        {
            "/subscribe", "/api/subscriptions/preview?q=DACA", "/api/openapi.json", "/confirm?token=bad", "/unsubscribe?token=bad",
            "/manage?token=" + Uri.EscapeDataString(manage), "/manage/export?token=" + Uri.EscapeDataString(manage), "/manage/delete?token=bad",
            "/manage-feeds?code=" + LocalHostHarness.AdminKey, "/api/admin/feeds", "/static/subscribe.js", "/no-such-page",
        };

        foreach (var path in paths)
        {
            var response = await host.Http.GetAsync(path);
            var csp = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src", StringComparison.Ordinal));
            Assert.DoesNotContain("unsafe-inline", scriptSrc);
            Assert.Contains("frame-ancestors 'none'", csp);
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
            Assert.Equal("no-referrer", Assert.Single(response.Headers.GetValues("Referrer-Policy")));
            if (path.Contains("token=", StringComparison.Ordinal))
                Assert.True(response.Headers.CacheControl?.NoStore, $"{path} is reached by a token and must not be cached");
            if (response.Content.Headers.ContentType?.MediaType == "text/html")
                Assert.DoesNotMatch(InlineScript(), await response.Content.ReadAsStringAsync());
        }
    }

    [Fact]
    public async Task The_subscribe_page_loads_its_script_from_the_app()
    {
        await using var host = await LocalHostHarness.StartAsync(azurite, runTriggers: false);

        var page = await host.Http.GetStringAsync("/subscribe");
        var src = Assert.Single(ScriptSource().Matches(page)).Groups[1].Value;
        var script = await host.Http.GetAsync(src);

        Assert.Equal(HttpStatusCode.OK, script.StatusCode);
        Assert.Equal("text/javascript", script.Content.Headers.ContentType?.MediaType);
        Assert.Contains("/api/subscriptions/preview", await script.Content.ReadAsStringAsync());
    }

    [GeneratedRegex("<script(?![^>]*\\bsrc=)[^>]*>", RegexOptions.IgnoreCase)]
    private static partial Regex InlineScript();

    [GeneratedRegex("<script src=\"([^\"]+)\"", RegexOptions.IgnoreCase)]
    private static partial Regex ScriptSource();
}
