using System.Diagnostics;
using Alerts.Core.Email;
using MailKit;
using MailKit.Net.Imap;
using MailKit.Search;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>
/// A real smtp4dev (the repo's dotnet tool, restored by test.sh) on free loopback ports: SMTP in, IMAP out, in-memory
/// database. Its IMAP server accepts any user name and password, keeps \Seen and \Deleted flags, and expunges.
/// </summary>
public sealed class Smtp4devServer : IAsyncLifetime
{
    private Process? _process;
    private readonly List<string> _output = [];

    public int SmtpPort { get; private set; }

    public int ImapPort { get; private set; }

    public async Task InitializeAsync()
    {
        SmtpPort = FreePort.Next();
        ImapPort = FreePort.Next();
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            ArgumentList =
            {
                "tool", "run", "smtp4dev", "--",
                $"--urls=http://127.0.0.1:{FreePort.Next()}",
                $"--smtpport={SmtpPort}", $"--imapport={ImapPort}", "--pop3port=",
                "--bindaddress=127.0.0.1", "--hostname=localhost", "--db=", "--nousersettings",
            },
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        _process = Process.Start(start) ?? throw new InvalidOperationException("smtp4dev did not start.");
        _process.OutputDataReceived += (_, e) => { lock (_output) if (e.Data is not null) _output.Add(e.Data); };
        _process.ErrorDataReceived += (_, e) => { lock (_output) if (e.Data is not null) _output.Add(e.Data); };
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();

        foreach (var port in new[] { SmtpPort, ImapPort })
            await WaitForPortAsync(port, TimeSpan.FromSeconds(90));
    }

    /// <summary>Options for the handler, reading smtp4dev's inbox in plain text on loopback.</summary>
    public UnsubscribeMailboxOptions MailboxOptions() => new()
    {
        ImapHost = "127.0.0.1",
        ImapPort = ImapPort,
        Security = "None",
        UserName = "unsubscribe",
        Password = "any",
        Timeout = TimeSpan.FromSeconds(20),
    };

    public async Task<ImapClient> ConnectImapAsync()
    {
        var client = new ImapClient { Timeout = 20_000 };
        await client.ConnectAsync("127.0.0.1", ImapPort, MailKit.Security.SecureSocketOptions.None);
        await client.AuthenticateAsync("test", "any");
        await client.Inbox.OpenAsync(FolderAccess.ReadWrite);
        return client;
    }

    /// <summary>Empties the inbox, so each test starts without the previous one's mail.</summary>
    public async Task ClearAsync()
    {
        using var client = await ConnectImapAsync();
        var all = await client.Inbox.SearchAsync(SearchQuery.All);
        if (all.Count > 0)
        {
            await client.Inbox.AddFlagsAsync(all, MessageFlags.Deleted, silent: true);
            await client.Inbox.ExpungeAsync();
        }
        await client.DisconnectAsync(true);
    }

    private Task WaitForPortAsync(int port, TimeSpan timeout) =>
        FreePort.WaitUntilListeningAsync(port, timeout, _process!, () => $"smtp4dev exited with code {_process!.ExitCode}:\n{Output()}");

    private string Output()
    {
        lock (_output)
            return string.Join('\n', _output.TakeLast(40));
    }

    public Task DisposeAsync()
    {
        ServerProcess.Stop(_process);
        return Task.CompletedTask;
    }
}
