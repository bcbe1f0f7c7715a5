using System.Text.RegularExpressions;
using Alerts.Core.Subscriptions;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Email;

/// <summary>
/// Reads the unsubscribe mailbox over IMAP and stops the subscription named by each unread message: the mail client's
/// side of the <c>mailto:</c> in <c>List-Unsubscribe</c>. The message carries the same signed unsubscribe token as the
/// HTTPS link, so a forged or expired one changes nothing. A message is flagged Seen and Deleted only after the
/// unsubscribe is stored; if storage fails it stays unread and the next run tries again (unsubscribing is idempotent).
/// Certificate validation is always MailKit's default (the system's), never switched off.
/// </summary>
public sealed partial class MailtoUnsubscribeHandler(
    IOptions<UnsubscribeMailboxOptions> options,
    SubscribeHandler subscriptions,
    ILogger<MailtoUnsubscribeHandler> logger)
{
    /// <summary>The subject the <c>mailto:</c> asks for: "unsubscribe {token}".</summary>
    public const string SubjectPrefix = "unsubscribe";

    /// <summary>The <c>mailto:</c> URI for <c>List-Unsubscribe</c>; the token is base64url and a dot, so it needs no escaping.</summary>
    public static string MailtoFor(string address, string token) => $"mailto:{address.Trim()}?subject={SubjectPrefix}%20{token}";

    /// <summary>What one run did.</summary>
    public sealed record Result(int Unsubscribed, int Ignored);

    public async Task<Result> HandleAsync(CancellationToken cancellationToken = default)
    {
        var mailbox = options.Value;
        if (!mailbox.Enabled)
            return new Result(0, 0);

        using var client = new ImapClient { Timeout = (int)mailbox.Timeout.TotalMilliseconds };
        await client.ConnectAsync(mailbox.ImapHost, mailbox.ImapPort, SmtpEmailSender.ParseSecurity(mailbox.Security), cancellationToken);
        if (!string.IsNullOrEmpty(mailbox.UserName))
            await client.AuthenticateAsync(mailbox.UserName, mailbox.Password, cancellationToken);

        var folder = await client.GetFolderAsync(mailbox.Folder, cancellationToken);
        await folder.OpenAsync(FolderAccess.ReadWrite, cancellationToken);
        var unread = await folder.SearchAsync(SearchQuery.NotSeen, cancellationToken);

        int unsubscribed = 0, ignored = 0;
        try
        {
            foreach (var uid in unread.Take(Math.Max(1, mailbox.MaxMessagesPerRun)))
            {
                // GetMessage fetches BODY.PEEK[]: reading does not mark the message seen, so a failure below leaves it for the next run.
                var message = await folder.GetMessageAsync(uid, cancellationToken);
                var token = TokenFrom(message);
                var subscription = token is null ? null : await subscriptions.UnsubscribeAsync(token, cancellationToken);
                if (subscription is null)
                {
                    // Replies, auto-responders, spam, expired or forged tokens: keep them for a human, never retry them.
                    await folder.AddFlagsAsync(uid, MessageFlags.Seen, silent: true, cancellationToken);
                    logger.LogWarning(
                        "Unsubscribe mail {ImapUid} ({MessageId}) has no valid unsubscribe token (token found: {TokenFound}); marked seen",
                        uid.Id, message.MessageId, token is not null);
                    ignored++;
                    continue;
                }
                await folder.AddFlagsAsync(uid, MessageFlags.Seen | MessageFlags.Deleted, silent: true, cancellationToken);
                logger.LogInformation("Subscription {SubscriptionId} unsubscribed by mail {ImapUid} ({MessageId})",
                    subscription.Id, uid.Id, message.MessageId);
                unsubscribed++;
            }
        }
        finally
        {
            // Also after a failure part-way: what was stored is done, and its messages should not linger.
            if (unsubscribed > 0)
                await folder.ExpungeAsync(CancellationToken.None);
        }
        await client.DisconnectAsync(quit: true, cancellationToken);

        if (unread.Count > 0)
            logger.LogInformation(
                "Unsubscribe mailbox run: {Unsubscribed} unsubscribed, {Ignored} without a valid token, {Remaining} left for the next run",
                unsubscribed, ignored, Math.Max(0, unread.Count - unsubscribed - ignored));
        return new Result(unsubscribed, ignored);
    }

    /// <summary>
    /// The token after "unsubscribe" in the subject (clients send the mailto's subject, some prefixing "Re:" or
    /// similar), else in the text body (some clients move the subject there). Null when there is none.
    /// </summary>
    public static string? TokenFrom(MimeMessage message)
    {
        foreach (var text in new[] { message.Subject, message.TextBody })
        {
            if (string.IsNullOrEmpty(text))
                continue;
            var match = TokenAfterPrefix().Match(text);
            if (match.Success)
                return match.Groups["token"].Value;
        }
        return null;
    }

    // SubscriptionTokens: base64url payload "." base64url signature. Bounded so a huge body cannot make work.
    [GeneratedRegex(@"\bunsubscribe\s+(?<token>[A-Za-z0-9_-]{1,400}\.[A-Za-z0-9_-]{1,100})(?![A-Za-z0-9_.-])",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, matchTimeoutMilliseconds: 1000)]
    private static partial Regex TokenAfterPrefix();
}
