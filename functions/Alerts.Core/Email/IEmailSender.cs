using MimeKit;

namespace Alerts.Core.Email;

public interface IEmailSender
{
    /// <summary>Returns only once the server has accepted the message; throws when it was refused or unreachable.</summary>
    Task SendAsync(MimeMessage message, CancellationToken cancellationToken = default);
}
