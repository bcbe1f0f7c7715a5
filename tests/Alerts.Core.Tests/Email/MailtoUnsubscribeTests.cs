using System.Globalization;
using Alerts.Core.Digests;
using Alerts.Core.Email;
using Alerts.Core.Storage;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Digests;
using Alerts.Core.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Search;
using MailKit.Security;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using MimeKit;

namespace Alerts.Core.Tests.Email;

/// <summary>
/// The mailto side of List-Unsubscribe through real parts: a digest from the composer, its mailto sent over SMTP the
/// way a mail client does, smtp4dev's IMAP inbox read by the handler, and the subscription in Azurite.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class MailtoUnsubscribeTests(AzuriteFixture storageFixture, Smtp4devServer smtp4dev) : IClassFixture<Smtp4devServer>, IAsyncLifetime
{
    private const string Mailbox = "unsubscribe@alerts.example.org";
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 13, 0, 0, TimeSpan.Zero);

    private readonly FakeTimeProvider _time = new(Now);
    private readonly CoreInstances _graphs = new();
    private AlertsStorage _storage = null!;
    private ServiceProvider _services = null!;
    private SubscriptionStore _subscriptions = null!;
    private SubscriptionLinks _links = null!;

    public async Task InitializeAsync()
    {
        _storage = await storageFixture.ResetAsync();
        await smtp4dev.ClearAsync();
        _services = Services(imap: true);
        _subscriptions = _services.GetRequiredService<SubscriptionStore>();
        _links = _services.GetRequiredService<SubscriptionLinks>();
    }

    public Task DisposeAsync()
    {
        _graphs.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Core as the hosts wire it, sending through smtp4dev and, with <paramref name="imap"/>, reading its inbox.</summary>
    private ServiceProvider Services(bool imap)
    {
        var mailbox = imap ? smtp4dev.MailboxOptions() : new UnsubscribeMailboxOptions();
        return _graphs.Start(_storage, _time, new Dictionary<string, string?>
        {
            ["Tokens:SigningKey"] = "mailto-test-signing-key-0123456789abcdef",
            ["Site:PublicBaseUrl"] = DigestTestData.Site.PublicBaseUrl,
            ["Site:Name"] = DigestTestData.Site.Name,
            ["Smtp:Host"] = "127.0.0.1",
            ["Smtp:Port"] = smtp4dev.SmtpPort.ToString(CultureInfo.InvariantCulture),
            ["Smtp:Security"] = "None",
            ["Smtp:FromAddress"] = "alerts@alerts.example.org",
            ["Smtp:UnsubscribeMailbox"] = Mailbox,
            ["UnsubscribeMailbox:ImapHost"] = mailbox.ImapHost,
            ["UnsubscribeMailbox:ImapPort"] = mailbox.ImapPort.ToString(CultureInfo.InvariantCulture),
            ["UnsubscribeMailbox:Security"] = mailbox.Security,
            ["UnsubscribeMailbox:UserName"] = mailbox.UserName,
            ["UnsubscribeMailbox:Password"] = mailbox.Password,
            ["UnsubscribeMailbox:Timeout"] = mailbox.Timeout.ToString("c", CultureInfo.InvariantCulture),
        });
    }

    private MailtoUnsubscribeHandler Handler() => _services.GetRequiredService<MailtoUnsubscribeHandler>();

    private async Task<Subscription> SubscriptionAsync()
    {
        var s = DigestTestData.Subscription();
        await _subscriptions.AddAsync(s);
        return s;
    }

    /// <summary>The mailto: URI of the digest the composer builds for the subscription.</summary>
    private async Task<(string To, string Subject)> MailtoOf(Subscription s)
    {
        var digest = await _services.GetRequiredService<DigestComposer>()
            .ComposeAsync(s, "daily-2026-11-26", [new DigestItem(DigestTestData.Article("a"), [])], Now);
        var header = (digest.Headers["List-Unsubscribe"] ?? "").Replace("\r\n", "").Replace("\n", "");
        var mailto = header.Split(',').Select(x => x.Trim().Trim('<', '>')).Single(x => x.StartsWith("mailto:", StringComparison.Ordinal));
        // RFC 6068 by hand (System.Uri puts a mailto address in UserInfo/Host): address, then hfields.
        var parts = mailto["mailto:".Length..].Split('?', 2);
        var fields = parts[1].Split('&').Select(p => p.Split('=', 2)).ToDictionary(p => p[0], p => Uri.UnescapeDataString(p[1]));
        return (Uri.UnescapeDataString(parts[0]), fields["subject"]);
    }

    /// <summary>What a mail client does with a mailto: URI: a message to its address with its subject, over SMTP.</summary>
    private async Task SendAsync(string to, string subject, string body = "")
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse("reader@example.com"));
        message.To.Add(MailboxAddress.Parse(to));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = body };
        using var client = new SmtpClient();
        await client.ConnectAsync("127.0.0.1", smtp4dev.SmtpPort, SecureSocketOptions.None);
        await client.SendAsync(message);
        await client.DisconnectAsync(true);
    }

    private Task SendMailtoAsync((string To, string Subject) mailto) => SendAsync(mailto.To, mailto.Subject);

    private async Task<(int All, int Unseen)> InboxAsync()
    {
        using var client = await smtp4dev.ConnectImapAsync();
        var all = await client.Inbox.SearchAsync(SearchQuery.All);
        var unseen = await client.Inbox.SearchAsync(SearchQuery.NotSeen);
        await client.DisconnectAsync(true);
        return (all.Count, unseen.Count);
    }

    [Fact]
    public async Task A_mailto_unsubscribe_from_a_digest_unsubscribes_and_removes_the_message()
    {
        var s = await SubscriptionAsync();
        var other = await SubscriptionAsync();
        var mailto = await MailtoOf(s);
        Assert.Equal(Mailbox, mailto.To);
        Assert.StartsWith("unsubscribe ", mailto.Subject);
        await SendMailtoAsync(mailto);
        Assert.Equal((1, 1), await InboxAsync());

        var result = await Handler().HandleAsync();

        Assert.Equal(new MailtoUnsubscribeHandler.Result(1, 0), result);
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await _subscriptions.GetAsync(s.Id))!.Status);
        Assert.Equal(SubscriptionStatus.Active, (await _subscriptions.GetAsync(other.Id))!.Status);
        Assert.Equal((0, 0), await InboxAsync());

        // A second run finds nothing; a resent request (the client retried) is idempotent and also removed.
        Assert.Equal(new MailtoUnsubscribeHandler.Result(0, 0), await Handler().HandleAsync());
        await SendMailtoAsync(mailto);
        Assert.Equal(new MailtoUnsubscribeHandler.Result(1, 0), await Handler().HandleAsync());
        Assert.Equal(SubscriptionStatus.Unsubscribed, (await _subscriptions.GetAsync(s.Id))!.Status);
        Assert.Equal((0, 0), await InboxAsync());
    }

    [Fact]
    public async Task Forged_expired_and_tokenless_mail_changes_nothing_and_is_marked_seen()
    {
        var s = await SubscriptionAsync();
        var genuine = _links.Tokens.Create(s.Id, TokenPurpose.Unsubscribe);
        var forger = new SubscriptionTokens(Options.Create(new TokenOptions { SigningKey = "another-signing-key-that-is-long-enough-987654" }), _time);
        await SendAsync(Mailbox, "unsubscribe " + forger.Create(s.Id, TokenPurpose.Unsubscribe));
        await SendAsync(Mailbox, "unsubscribe " + _links.Tokens.Create(s.Id, TokenPurpose.Manage));
        await SendAsync(Mailbox, "unsubscribe " + genuine[..^2] + (genuine.EndsWith("AA", StringComparison.Ordinal) ? "BB" : "AA"));
        await SendAsync(Mailbox, "Out of office", "I am away until Monday.");

        var result = await Handler().HandleAsync();

        Assert.Equal(new MailtoUnsubscribeHandler.Result(0, 4), result);
        Assert.Equal(SubscriptionStatus.Active, (await _subscriptions.GetAsync(s.Id))!.Status);
        Assert.Equal((4, 0), await InboxAsync());
        Assert.Equal(new MailtoUnsubscribeHandler.Result(0, 0), await Handler().HandleAsync());

        // The same genuine token after the link lifetime has passed is refused too.
        _time.Advance(new TokenOptions().LinkLifetime + TimeSpan.FromDays(1));
        await SendAsync(Mailbox, "unsubscribe " + genuine);
        Assert.Equal(new MailtoUnsubscribeHandler.Result(0, 1), await Handler().HandleAsync());
        Assert.Equal(SubscriptionStatus.Active, (await _subscriptions.GetAsync(s.Id))!.Status);
    }

    [Fact]
    public async Task Without_an_imap_host_the_run_returns_at_once_and_digests_carry_no_mailto()
    {
        var s = await SubscriptionAsync();
        await SendAsync(Mailbox, "unsubscribe " + _links.Tokens.Create(s.Id, TokenPurpose.Unsubscribe));

        var withoutImap = Services(imap: false);
        Assert.Equal(new MailtoUnsubscribeHandler.Result(0, 0), await withoutImap.GetRequiredService<MailtoUnsubscribeHandler>().HandleAsync());
        Assert.Equal((1, 1), await InboxAsync());
        Assert.Equal(SubscriptionStatus.Active, (await _subscriptions.GetAsync(s.Id))!.Status);

        var digest = await withoutImap.GetRequiredService<DigestComposer>().ComposeAsync(s, "daily-2026-11-26", [new DigestItem(DigestTestData.Article("a"), [])], Now);
        Assert.DoesNotContain("mailto:", digest.Headers["List-Unsubscribe"] ?? "");
    }

    [Theory]
    [InlineData("unsubscribe abc-_1.XYZ_-9", "", "abc-_1.XYZ_-9")]
    [InlineData("Re: Unsubscribe abc.def", "", "abc.def")]
    [InlineData("", "unsubscribe abc.def\r\n\r\nSent from my phone", "abc.def")]
    [InlineData("unsubscribe", "", null)]
    [InlineData("unsubscribe abc", "", null)]
    [InlineData("Hello", "please unsubscribe me", null)]
    public void Finds_the_token_in_the_subject_or_else_the_body(string subject, string body, string? expected)
    {
        var message = new MimeMessage { Subject = subject, Body = new TextPart("plain") { Text = body } };
        Assert.Equal(expected, MailtoUnsubscribeHandler.TokenFrom(message));
    }
}
