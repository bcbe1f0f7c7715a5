using Alerts.Core.Email;
using Alerts.Core.Tests.Infrastructure;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Alerts.Core.Tests.Email;

public sealed class SmtpEmailSenderTests
{
    private static MimeMessage Message(string subject)
    {
        var message = new MimeMessage();
        message.From.Add(new MailboxAddress("Alerts", "alerts@alerts.test"));
        message.To.Add(new MailboxAddress("", "reader@example.com"));
        message.Subject = subject;
        message.Body = new TextPart("plain") { Text = "Hello there" };
        return message;
    }

    [Fact]
    public async Task Delivers_the_message_to_the_server()
    {
        await using var server = await TestSmtpServer.StartAsync();
        var sender = new SmtpEmailSender(Options.Create(server.Options()), NullLogger<SmtpEmailSender>.Instance);

        await sender.SendAsync(Message("First"));

        var received = Assert.Single(server.Messages);
        Assert.Equal("First", received.Subject);
        Assert.Equal("reader@example.com", received.To.Mailboxes.Single().Address);
        Assert.Equal("alerts@alerts.test", received.From.Mailboxes.Single().Address);
        Assert.Equal("Hello there", received.TextBody?.Trim());
    }

    [Fact]
    public async Task A_refused_message_throws_and_the_next_one_goes_through()
    {
        await using var server = await TestSmtpServer.StartAsync();
        var sender = new SmtpEmailSender(Options.Create(server.Options()), NullLogger<SmtpEmailSender>.Instance);
        server.FailNext(1);

        var ex = await Assert.ThrowsAsync<SmtpCommandException>(() => sender.SendAsync(Message("Refused")));
        Assert.Equal(554, (int)ex.StatusCode);
        Assert.Empty(server.Messages);
        Assert.Equal(1, server.Rejected);

        await sender.SendAsync(Message("Accepted"));
        Assert.Equal("Accepted", Assert.Single(server.Messages).Subject);
    }

    [Fact]
    public async Task An_unreachable_server_throws()
    {
        var options = new SmtpOptions { Host = "127.0.0.1", Port = FreePort.Next(), Security = "None", Timeout = TimeSpan.FromSeconds(5) };
        var sender = new SmtpEmailSender(Options.Create(options), NullLogger<SmtpEmailSender>.Instance);
        await Assert.ThrowsAnyAsync<Exception>(() => sender.SendAsync(Message("Nowhere")));
    }

    [Theory]
    [InlineData("None", SecureSocketOptions.None)]
    [InlineData("StartTls", SecureSocketOptions.StartTls)]
    [InlineData("starttls", SecureSocketOptions.StartTls)]
    [InlineData("SslOnConnect", SecureSocketOptions.SslOnConnect)]
    [InlineData("Auto", SecureSocketOptions.Auto)]
    public void Parses_security_settings(string setting, SecureSocketOptions expected) =>
        Assert.Equal(expected, SmtpEmailSender.ParseSecurity(setting));

    [Fact]
    public void Refuses_an_unknown_security_setting() =>
        Assert.Throws<InvalidOperationException>(() => SmtpEmailSender.ParseSecurity("Plaintext-please"));

    [Fact]
    public async Task WaitForMessageAsync_times_out_when_nothing_matches()
    {
        await using var server = await TestSmtpServer.StartAsync();
        await Assert.ThrowsAsync<TimeoutException>(() => server.WaitForMessageAsync(_ => true, TimeSpan.FromMilliseconds(200)));
    }
}
