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
        var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        string response;
        try
        {
            await client.ConnectAsync(smtp.Host, smtp.Port, ParseSecurity(smtp.Security), cancellationToken);
            if (!string.IsNullOrEmpty(smtp.UserName))
                await client.AuthenticateAsync(smtp.UserName, smtp.Password, cancellationToken);

            // SendAsync completes after the server's reply to the end of DATA, and throws SmtpCommandException on a refusal.
            response = await client.SendAsync(message, cancellationToken);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        // The server has the message. Return at once so the caller records it: QUIT is a courtesy round trip that
        // would otherwise sit inside the window where a crash duplicates the email.
        _ = QuitAsync(client);

        logger.LogInformation(
            "Email {MessageId} accepted by {SmtpHost}:{SmtpPort}: {SmtpResponse}",
            message.MessageId, smtp.Host, smtp.Port, response);
    }

    private static async Task QuitAsync(SmtpClient client)
    {
        try
        {
            await client.DisconnectAsync(quit: true, CancellationToken.None);
        }
        catch (Exception ex) when (ex is IOException or MailKit.ProtocolException or MailKit.Net.Smtp.SmtpCommandException or System.Net.Sockets.SocketException or TimeoutException)
        {
            // The message was accepted; a lost QUIT changes nothing.
        }
        finally
        {
            client.Dispose();
        }
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
