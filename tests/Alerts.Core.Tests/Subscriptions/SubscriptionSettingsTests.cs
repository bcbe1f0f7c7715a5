using Alerts.Core.Subscriptions;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>Per-subscription options: site restriction, digest cap, editing; tokens for erasing; rate limits.</summary>
public sealed class SubscriptionSettingsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("reuters.com", "reuters.com")]
    [InlineData("https://www.Reuters.com/world/us", "reuters.com")]
    [InlineData("  APNEWS.com.  ", "apnews.com")]
    [InlineData("news.bbc.co.uk", "news.bbc.co.uk")]
    [InlineData("localhost", null)]
    [InlineData("javascript:alert(1)", null)]
    [InlineData("exa mple.com", null)]
    [InlineData("<b>.com", null)]
    public void Sites_are_normalised_to_lower_case_domains_or_refused(string input, string? expected) =>
        Assert.Equal(expected, SubscribeRequest.NormalizeSite(input));

    [Theory]
    [InlineData("https://www.reuters.com/world/x", true)]
    [InlineData("reuters.com", true)]
    [InlineData("https://uk.reuters.com", true)]
    [InlineData("https://notreuters.com", false)]
    [InlineData("https://reuters.com.evil.example", false)]
    [InlineData("https://apnews.com/a", true)]
    [InlineData("", false)]
    public void A_site_restriction_covers_the_domain_and_its_subdomains_only(string site, bool allowed)
    {
        var request = new SubscribeRequest("jane@example.test", "DACA", "daily", Sites: ["www.reuters.com", "apnews.com"]);
        Assert.Empty(request.Validate().Errors);
        var subscription = request.ToPendingSubscription(SubscriptionStore.NewId(), Now);

        Assert.Equal(["reuters.com", "apnews.com"], subscription.Sites);
        Assert.Equal(allowed, subscription.AllowsSite(site));
    }

    [Fact]
    public void Without_a_restriction_every_site_is_allowed() =>
        Assert.True(new SubscribeRequest("jane@example.test", "DACA", "daily").ToPendingSubscription(SubscriptionStore.NewId(), Now).AllowsSite("https://any.example"));

    [Theory]
    [InlineData(0)]
    [InlineData(51)]
    [InlineData(-1)]
    public void The_digest_cap_is_from_1_to_50(int cap) =>
        Assert.Contains("maxItems", new SubscribeRequest("jane@example.test", "DACA", "daily", MaxItems: cap).Validate().Errors.Keys);

    [Fact]
    public void Too_many_or_malformed_sites_are_a_field_error()
    {
        Assert.Contains("sites", new SubscribeRequest("jane@example.test", "DACA", "daily", Sites: ["ok.example", "not a site"]).Validate().Errors.Keys);
        var many = Enumerable.Range(0, SubscribeRequest.MaxSites + 1).Select(i => $"s{i}.example").ToArray();
        Assert.Contains("sites", new SubscribeRequest("jane@example.test", "DACA", "daily", Sites: many).Validate().Errors.Keys);
    }

    [Fact]
    public void Editing_changes_the_settings_but_keeps_identity_status_and_history()
    {
        var existing = new Subscription(SubscriptionStore.NewId(), "jane@example.test", "DACA", Frequency.Daily, SubscriptionStatus.Paused,
            Now.AddDays(-3), ConfirmedAt: Now.AddDays(-3), LastDigestAt: Now.AddDays(-1));
        var edit = new SubscribeRequest("jane@example.test", " immigra* -sports ", "weekly", "Europe/Berlin", 18, "friday", "Dreamers",
            ["apnews.com"], 5);

        var edited = edit.ApplyTo(existing);

        Assert.Equal((existing.Id, existing.CreatedAt, existing.ConfirmedAt, existing.LastDigestAt, SubscriptionStatus.Paused),
            (edited.Id, edited.CreatedAt, edited.ConfirmedAt, edited.LastDigestAt, edited.Status));
        Assert.Equal(("immigra* -sports", Frequency.Weekly, "Europe/Berlin", 18, DayOfWeek.Friday, "Dreamers", 5),
            (edited.Query, edited.Frequency, edited.TimeZone, edited.DigestHour, edited.DigestDay, edited.Label, edited.MaxItems));
    }

    [Fact]
    public void A_delete_all_token_works_only_for_deleting_and_expires_with_the_confirmation_lifetime()
    {
        var time = new FakeTimeProvider(Now);
        var tokens = new SubscriptionTokens(Options.Create(new TokenOptions { SigningKey = "test-signing-key-that-is-long-enough-0123456789" }), time);
        var id = SubscriptionStore.NewId();

        var token = tokens.Create(id, TokenPurpose.DeleteAll);

        Assert.Equal(id, tokens.Validate(token, TokenPurpose.DeleteAll));
        Assert.Null(tokens.Validate(token, TokenPurpose.Manage));
        Assert.Null(tokens.Validate(tokens.Create(id, TokenPurpose.Manage), TokenPurpose.DeleteAll));
        time.Advance(new TokenOptions().ConfirmationLifetime + TimeSpan.FromSeconds(1));
        Assert.Null(tokens.Validate(token, TokenPurpose.DeleteAll));
    }
}
