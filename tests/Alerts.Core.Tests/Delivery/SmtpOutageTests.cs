using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;

namespace Alerts.Core.Tests.Delivery;

/// <summary>
/// The SMTP server refuses connections (or answers 451) for minutes to an hour on the fake clock, while the queues
/// keep running with real (short) retry delays: afterwards every alert and digest arrives once, nothing was thrown
/// towards the poison queue, and the admins got one outage email and one recovery email.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class SmtpOutageTests(AzuriteFixture fixture)
{
    // 08:00 UTC: the daily digests below are due.
    private static readonly DateTimeOffset Start = new(2026, 11, 26, 8, 0, 30, TimeSpan.Zero);

    [Theory]
    [InlineData(10, false)]
    [InlineData(60, false)]
    [InlineData(10, true)]
    [InlineData(60, true)]
    public async Task After_an_smtp_outage_every_alert_and_digest_arrives_once_and_admins_hear_once_of_it_and_once_of_the_recovery(
        int minutes, bool tryLaterInsteadOfRefusing)
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Start);
        var instant = new List<Subscription>();
        var daily = new List<Subscription>();
        for (var i = 0; i < 4; i++)
            instant.Add(await host.SubscribeAsync($"instant{i}@example.com", "DACA", Frequency.Instant));
        for (var i = 0; i < 2; i++)
            daily.Add(await host.SubscribeAsync($"daily{i}@example.com", "DACA", Frequency.Daily));
        var titles = new List<string>();
        for (var a = 0; a < 3; a++)
        {
            // The email marks "DACA", so the title is found by the words before it.
            titles.Add($"Story {a} on");
            await host.PublishAsync($"story{a}", titles[^1] + " DACA", "About DACA.");
        }

        if (tryLaterInsteadOfRefusing)
            host.Smtp.TryLater = true;
        else
            await host.Smtp.StopListeningAsync();
        var step = TimeSpan.FromMinutes(minutes) / 20;
        for (var elapsed = TimeSpan.Zero; elapsed < TimeSpan.FromMinutes(minutes); elapsed += step)
        {
            await host.PumpOnceAsync();
            // After the first pass has recorded the matches, so that the daily digest has them to carry.
            await host.Get<DigestScheduler>().HandleAsync();
            await Task.Delay(450); // the real retry delay (at most 0.4 s with jitter 0.5 s)
            host.Time.Advance(step);
        }
        Assert.Empty(host.Smtp.Messages);

        host.Smtp.TryLater = false;
        if (!tryLaterInsteadOfRefusing)
            await host.Smtp.ResumeAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(90));

        Assert.Empty(host.Failures);
        var emails = host.Emails();
        foreach (var s in instant)
            foreach (var title in titles)
                Assert.Single(emails, e => e.To == s.Email && e.Html.Contains(title, StringComparison.Ordinal));
        foreach (var s in daily)
        {
            var digest = Assert.Single(emails, e => e.To == s.Email);
            Assert.All(titles, t => Assert.Contains(t, digest.Html));
        }
        Assert.Single(emails, e => e.To == DeliveryHarness.AdminEmail && e.Subject == "Sending is failing");
        Assert.Single(emails, e => e.To == DeliveryHarness.AdminEmail && e.Subject == "Sending recovered");
        // The three stories came in one poll, so each instant subscriber gets them in one email (issue 11, item 4).
        Assert.Equal(instant.Count + daily.Count + 2, emails.Count);
        foreach (var s in instant.Concat(daily))
            Assert.Empty(await host.Get<MatchStore>().ListPendingAsync(s.Id));
        foreach (var queue in QueueNames.All)
            Assert.Equal(0, (await host.Storage.Queue(QueueNames.Poison(queue)).GetPropertiesAsync()).Value.ApproximateMessagesCount);
    }

    [Fact]
    public async Task A_blip_shorter_than_the_threshold_sends_admins_nothing()
    {
        await using var host = await DeliveryHarness.StartAsync(fixture, Start);
        var s = await host.SubscribeAsync("instant@example.com", "DACA", Frequency.Instant);
        await host.PublishAsync("story", "Story on DACA", "About DACA.");
        await host.Smtp.StopListeningAsync();
        await host.PumpOnceAsync();
        await host.PumpOnceAsync();
        host.Time.Advance(TimeSpan.FromMinutes(1));
        await host.Smtp.ResumeAsync();
        await host.DrainAsync(TimeSpan.FromSeconds(30));

        Assert.Single(host.Emails(), e => e.To == s.Email);
        Assert.DoesNotContain(host.Emails(), e => e.To == DeliveryHarness.AdminEmail);
    }
}
