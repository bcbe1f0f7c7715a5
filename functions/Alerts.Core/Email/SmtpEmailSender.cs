using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Email;

/// <summary>
/// Sends through an SMTP relay with MailKit. One connection per call: MailKit's client is not thread-safe, and the
/// queue-triggered callers send one message each, so a pool would add state without saving much.
/// Certificate validation is always MailKit's default (the system's), never switched off.
/// </summary>
public sealed class SmtpEmailSender(IOptions<SmtpOptions> options, ILogger<SmtpEmailSender> logger) : IEmailSender
{
    public async Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default)
    {
        var smtp = options.Value;
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        await client.ConnectAsync(smtp.Host, smtp.Port, ParseSecurity(smtp.Security), cancellationToken);
        if (!string.IsNullOrEmpty(smtp.UserName))
            await client.AuthenticateAsync(smtp.UserName, smtp.Password, cancellationToken);

        // SendAsync completes after the server's reply to the end of DATA, and throws SmtpCommandException on a refusal.
        var response = await client.SendAsync(message, cancellationToken);
        await client.DisconnectAsync(quit: true, cancellationToken);

        logger.LogInformation(
            "Email {MessageId} accepted by {SmtpHost}:{SmtpPort}: {SmtpResponse}",
            message.MessageId, smtp.Host, smtp.Port, response);
    }

    public static SecureSocketOptions ParseSecurity(string? security) => security?.Trim().ToLowerInvariant() switch
    {
        "none" => SecureSocketOptions.None,
        "starttls" => SecureSocketOptions.StartTls,
        "sslonconnect" or "ssl" or "tls" => SecureSocketOptions.SslOnConnect,
        "auto" or "" or null => SecureSocketOptions.Auto,
        _ => throw new InvalidOperationException(
            $"{SmtpOptions.Section}__Security must be None, StartTls, SslOnConnect or Auto, not '{security}'."),
    };
}
