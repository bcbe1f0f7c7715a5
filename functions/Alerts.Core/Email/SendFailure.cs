using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using MailKit.Security;

namespace Alerts.Core.Email;

public enum SendFailureKind
{
    /// <summary>The relay is unreachable, slow, or said "try later" (4xx): wait and retry; it says nothing about the address.</summary>
    Transient,
    /// <summary>A 5xx refusal of this recipient or message: counted against the address (a hard bounce), then retried.</summary>
    HardBounce,
}

/// <summary>What an exception from <see cref="IEmailSender"/> means for the email; null for one that is not a send failure (a bug).</summary>
public static class SendFailure
{
    public static SendFailureKind? Classify(Exception ex) => ex switch
    {
        SmtpCommandException { ErrorCode: SmtpErrorCode.RecipientNotAccepted or SmtpErrorCode.MessageNotAccepted } c
            when (int)c.StatusCode >= 500 => SendFailureKind.HardBounce,
        // 4xx, and 5xx about our sender or the session: the relay's or our configuration's problem, not the address's.
        SmtpCommandException => SendFailureKind.Transient,
        SmtpProtocolException or ServiceNotConnectedException or AuthenticationException or ProtocolException => SendFailureKind.Transient,
        SocketException or IOException or TimeoutException => SendFailureKind.Transient,
        _ when ex.InnerException is { } inner => Classify(inner),
        _ => null,
    };
}
