using Alerts.Core.Admin;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Email;

/// <summary>
/// Whether sending works, shared by every instance through one Deliveries row: admins get one email when sends have
/// kept failing (transiently) for <see cref="DeliveryOptions.OutageAlertAfter"/>, and one when a send succeeds again.
/// Each email is claimed by a conditional write before it is sent, so concurrent workers send it once; an outage email
/// that cannot get through the failing relay is sent with the recovery email instead.
/// </summary>
public sealed class SendingHealth(
    DeliveryStore store,
    IEmailSender email,
    IOptions<DeliveryOptions> delivery,
    IOptions<AdminOptions> admin,
    IOptions<SmtpOptions> smtp,
    TimeProvider time,
    ILogger<SendingHealth> logger)
{
    /// <summary>After a success that found no outage row, this instance skips the read for a while (one read per busy minute, not per email).</summary>
    private static readonly TimeSpan HealthyRecheck = TimeSpan.FromSeconds(15);

    private long _healthyUntilTicks;

    public async Task AfterFailureAsync(string error, CancellationToken cancellationToken = default)
    {
        Interlocked.Exchange(ref _healthyUntilTicks, 0);
        for (var attempt = 0; attempt < 5; attempt++)
        {
            var now = time.GetUtcNow();
            var current = await store.GetSendingAsync(cancellationToken);
            var since = current?.FailingSince ?? now;
            var tell = current?.OutageNoticeSentAt is null && now - since >= delivery.Value.OutageAlertAfter && Recipients().Count > 0;
            // Many workers fail at once in an outage: one write per few seconds is enough to know when it ends.
            if (!tell && current is { FailingSince: not null, LastFailureAt: { } last } && now - last < TimeSpan.FromSeconds(5))
                return;
            var next = new SendingState(since, now, error, tell ? now : current?.OutageNoticeSentAt, default);
            if (!await store.TrySetSendingAsync(current, next, cancellationToken))
                continue;
            if (tell && !await TrySendAsync(OutageSubject, OutageText(since, now, error), cancellationToken))
                await store.ResetOutageNoticeAsync(cancellationToken);
            return;
        }
    }

    public async Task AfterSuccessAsync(CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow();
        if (now.UtcTicks < Interlocked.Read(ref _healthyUntilTicks))
            return;
        var current = await store.GetSendingAsync(cancellationToken);
        if (current?.FailingSince is null)
        {
            Interlocked.Exchange(ref _healthyUntilTicks, (now + HealthyRecheck).UtcTicks);
            return;
        }
        // One worker clears the row and reports; the others lose the ETag race and say nothing.
        if (!await store.TryClearSendingAsync(current, cancellationToken))
            return;
        var since = current.FailingSince ?? now;
        var last = current.LastFailureAt ?? since;
        logger.LogInformation("Sending recovered at {Now:o}; it had failed since {Since:o}", now, since);
        if (Recipients().Count == 0 || (current.OutageNoticeSentAt is null && last - since < delivery.Value.OutageAlertAfter))
            return; // a blip: no emails
        if (current.OutageNoticeSentAt is null)
            await TrySendAsync(OutageSubject, OutageText(since, last, current.LastError), cancellationToken);
        await TrySendAsync("Sending recovered", $"""
            Email sending works again (a send succeeded at {now:u}).

            It had failed since {since:u}. Alerts and digests held back meanwhile are being sent now, each once.
            """, cancellationToken);
    }

    private const string OutageSubject = "Sending is failing";

    private static string OutageText(DateTimeOffset since, DateTimeOffset last, string? error) => $"""
        Emails have not been accepted by the SMTP relay since {since:u} (last failure {last:u}).

        Last error: {error}

        Alerts and digests are kept and retried with growing delays; nothing is dropped while they are worth sending.
        You will get one more email when sending recovers.
        """;

    private List<string> Recipients() =>
        admin.Value.AlertEmail.Split([',', ';'], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToList();

    private async Task<bool> TrySendAsync(string subject, string text, CancellationToken cancellationToken)
    {
        var message = new EmailEnvelope(Recipients(), subject).ToMessage(smtp.Value);
        message.Body = new TextPart("plain") { Text = text };
        try
        {
            await email.SendAsync(message, cancellationToken);
            logger.LogInformation("Sending health email: {Subject}", subject);
            return true;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogWarning(ex, "Sending health email could not be sent: {Subject}", subject);
            return false;
        }
    }
}
