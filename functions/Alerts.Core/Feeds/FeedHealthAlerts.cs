using Alerts.Core.Admin;
using Alerts.Core.Email;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Feeds;

/// <summary>
/// One email to admins when a feed has kept failing for <see cref="AdminOptions.BrokenFeedAlertAfter"/>, and one
/// when it recovers; nothing for blips. The feed row records that the email went, so redelivered fetches and
/// concurrent workers send it once (claimed first, then sent: a crash in between loses one email, never doubles it).
/// <para>
/// Each email takes a token of the global send rate first: a host that takes a hundred feeds down at once would
/// otherwise put a hundred emails on the provider in one minute, past its limit, beside subscribers' alerts. Without a
/// token nothing is claimed, so the feed's next check (failed or recovered) tries again.
/// </para>
/// </summary>
public sealed class FeedHealthAlerts(
    FeedStore feeds,
    IEmailSender email,
    IOptions<AdminOptions> admin,
    IOptions<SmtpOptions> smtp,
    TimeProvider time,
    ILogger<FeedHealthAlerts> logger,
    SendRateLimiter? sendRate = null)
{
    public async Task AfterFailureAsync(Feed feed, CancellationToken cancellationToken)
    {
        var settings = admin.Value;
        var now = time.GetUtcNow();
        if (settings.AlertEmail.Length == 0 || feed.BrokenAlertSentAt is not null || feed.FailingSince is not { } since
            || now - since < settings.BrokenFeedAlertAfter || !await TakeSendTokenAsync(feed, cancellationToken))
            return;
        var claimed = false;
        await feeds.UpdateAsync(feed.Id, f =>
        {
            claimed = f.BrokenAlertSentAt is null && f.ConsecutiveFailures > 0;
            return claimed ? f with { BrokenAlertSentAt = now } : f;
        }, cancellationToken);
        if (!claimed)
            return;
        await SendAsync(
            $"Feed broken: {Name(feed)}",
            $"""
            The feed {Name(feed)} has failed every check since {since:u} ({feed.ConsecutiveFailures} in a row).

            URL: {feed.Url}
            Last error: {feed.LastErrorKind} {feed.LastHttpStatus} {feed.LastError}
            Next check: {feed.NextCheckAt:u}

            Polling continues with backoff; you will get one more email when it recovers.
            """, feed, cancellationToken);
    }

    /// <summary>
    /// After a success: when admins were told this feed is broken, clears that and tells them it recovered. The flag
    /// stays set until the recovery email is claimed, so an email that waits for the send rate goes out after a later
    /// successful check; a failure in between sends no second broken-feed email.
    /// </summary>
    public async Task AfterRecoveryAsync(Feed feed, CancellationToken cancellationToken)
    {
        if (feed.BrokenAlertSentAt is null || feed.FailingSince is not null)
            return;
        var tell = admin.Value.AlertEmail.Length > 0;
        if (tell && !await TakeSendTokenAsync(feed, cancellationToken))
            return;
        var claimed = false;
        await feeds.UpdateAsync(feed.Id, f =>
        {
            claimed = f.BrokenAlertSentAt is not null && f.FailingSince is null;
            return claimed ? f with { BrokenAlertSentAt = null } : f;
        }, cancellationToken);
        if (!claimed || !tell)
            return;
        await SendAsync(
            $"Feed recovered: {Name(feed)}",
            $"""
            The feed {Name(feed)} is working again (checked {feed.LastCheckedAt:u}, HTTP {feed.LastHttpStatus}).

            URL: {feed.Url}
            """, feed, cancellationToken);
    }

    private async Task<bool> TakeSendTokenAsync(Feed feed, CancellationToken cancellationToken)
    {
        if (sendRate is null || await sendRate.TryTakeAsync(cancellationToken) is not { } wait)
            return true;
        logger.LogInformation("Feed health email for {FeedId} {Url} waits for the send rate ({Wait}); the feed's next check tries again",
            feed.Id, feed.Url, wait);
        return false;
    }

    private async Task SendAsync(string subject, string text, Feed feed, CancellationToken cancellationToken)
    {
        var message = new Email.EmailEnvelope(
            admin.Value.AlertEmail.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries), subject).ToMessage(smtp.Value);
        message.Body = new TextPart("plain") { Text = text };
        try
        {
            await email.SendAsync(message, cancellationToken);
            logger.LogInformation("Feed health email for {FeedId} {Url}: {Subject}", feed.Id, feed.Url, subject);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Never fail the fetch over a notification: the feed state is already recorded.
            logger.LogError(ex, "Feed health email for {FeedId} {Url} could not be sent: {Subject}", feed.Id, feed.Url, subject);
        }
    }

    private static string Name(Feed feed) => feed.Title.Length > 0 ? feed.Title : feed.Url;
}
