using Alerts.Core.Email;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Feeds;

/// <summary>The admins' broken-feed and recovered-feed emails, through the real fetch path against a loopback server.</summary>
[Collection(StorageCollection.Name)]
public sealed class FeedHealthAlertTests(AzuriteFixture azurite) : IAsyncLifetime
{
    private TestFeedServer _server = null!;

    public async Task InitializeAsync() => _server = await TestFeedServer.StartAsync();

    public async Task DisposeAsync() => await _server.DisposeAsync();

    [Fact]
    public async Task Admins_get_one_email_when_a_feed_stays_broken_past_the_threshold_and_one_when_it_recovers()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite);
        _server.Respond("/f.xml", 500, "down");
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));

        await host.FetchAsync(feed);
        host.Time.Advance(TimeSpan.FromHours(12));
        await host.FetchAsync(feed);
        Assert.Empty(host.Emails.Sent); // a blip is not worth an email

        host.Time.Advance(TimeSpan.FromHours(13));
        await host.FetchAsync(feed);
        host.Time.Advance(TimeSpan.FromHours(5));
        await host.FetchAsync(feed);
        var broken = Assert.Single(host.Emails.Sent);
        Assert.StartsWith("Feed broken", broken.Subject);
        Assert.Equal(FeedTestHost.AdminEmail, broken.To.Mailboxes.Single().Address);
        Assert.Contains(_server.Url("/f.xml"), broken.TextBody);

        _server.SetFeed("/f.xml").AddItem("Back", "https://f.test/back", "ok");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);
        Assert.Equal(2, host.Emails.Sent.Count);
        Assert.StartsWith("Feed recovered", host.Emails.Sent[1].Subject);
        var saved = await host.GetFeedAsync(feed.Id);
        Assert.Null(saved.FailingSince);
        Assert.Null(saved.BrokenAlertSentAt);

        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);
        Assert.Equal(2, host.Emails.Sent.Count);
    }

    [Fact]
    public async Task Past_the_send_rate_the_broken_and_recovered_emails_wait_for_a_later_check_instead_of_going_out_or_being_lost()
    {
        await using var host = await FeedTestHost.CreateAsync(azurite, new Dictionary<string, string?> { ["SendRate:PerMinute"] = "1" });
        var sendRate = host.Service<SendRateLimiter>();
        _server.Respond("/f.xml", 500, "down");
        var feed = await host.AddFeedAsync(_server.Url("/f.xml"));
        await host.FetchAsync(feed);
        host.Time.Advance(TimeSpan.FromHours(25));

        // Digests took the minute's only token: the broken-feed email is not sent and not marked as sent.
        Assert.Null(await sendRate.TryTakeAsync());
        await host.FetchAsync(feed);
        Assert.Empty(host.Emails.Sent);
        Assert.Null((await host.GetFeedAsync(feed.Id)).BrokenAlertSentAt);

        host.Time.Advance(TimeSpan.FromMinutes(5));
        await host.FetchAsync(feed);
        Assert.StartsWith("Feed broken", Assert.Single(host.Emails.Sent).Subject);

        // The feed recovers while the token is gone again: no email yet, and it is still owed.
        _server.SetFeed("/f.xml").AddItem("Back", "https://f.test/back", "ok");
        host.Time.Advance(TimeSpan.FromHours(1));
        Assert.Null(await sendRate.TryTakeAsync());
        await host.FetchAsync(feed);
        Assert.Single(host.Emails.Sent);
        var owed = await host.GetFeedAsync(feed.Id);
        Assert.Null(owed.FailingSince);
        Assert.NotNull(owed.BrokenAlertSentAt);

        _server.Touch("/f.xml");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);
        Assert.Equal(2, host.Emails.Sent.Count);
        Assert.StartsWith("Feed recovered", host.Emails.Sent[1].Subject);
        Assert.Null((await host.GetFeedAsync(feed.Id)).BrokenAlertSentAt);

        _server.Touch("/f.xml");
        host.Time.Advance(TimeSpan.FromHours(1));
        await host.FetchAsync(feed);
        Assert.Equal(2, host.Emails.Sent.Count);
    }
}
