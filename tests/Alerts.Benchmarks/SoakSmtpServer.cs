using System.Buffers;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Alerts.Benchmarks;

/// <summary>
/// A real SMTP server (the SmtpServer package) on a fixed loopback port that counts, per (recipient, story id), the
/// accepted emails that show the story. <see cref="StopListeningAsync"/> is an outage: connections are refused until
/// <see cref="ResumeAsync"/> listens again on the same port.
/// </summary>
public sealed partial class SoakSmtpServer : IAsyncDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<(string Email, int Story), List<DateTime>> _pairs = new();
    private CancellationTokenSource _stop = new();
    private Task _running = Task.CompletedTask;
    private int _count;

    private SoakSmtpServer(int port) => Port = port;

    public int Port { get; }

    public int Count => Volatile.Read(ref _count);

    [GeneratedRegex(@"Q(\d{6})Z")]
    private static partial Regex StoryId();

    public static async Task<SoakSmtpServer> StartAsync()
    {
        var server = new SoakSmtpServer(RestartPort.Several(1)[0]);
        await server.ResumeAsync();
        return server;
    }

    /// <summary>How many accepted emails showed each (recipient, story) pair.</summary>
    public Dictionary<(string Email, int Story), int> Pairs()
    {
        lock (_lock)
            return _pairs.ToDictionary(p => p.Key, p => p.Value.Count);
    }

    public IReadOnlyList<DateTime> Times((string Email, int Story) pair)
    {
        lock (_lock)
            return _pairs.TryGetValue(pair, out var times) ? times.ToList() : [];
    }

    public async Task StopListeningAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }
        _stop.Dispose();
        _stop = new CancellationTokenSource();
    }

    public async Task ResumeAsync()
    {
        var options = new SmtpServerOptionsBuilder().ServerName("soak-smtp.localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port))).Build();
        var provider = new ServiceProvider();
        provider.Add(new Store(this));
        _running = new SmtpServer.SmtpServer(options, provider).StartAsync(_stop.Token);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }
        }
    }

    private void Receive(ReadOnlySequence<byte> buffer)
    {
        using var stream = new MemoryStream(buffer.ToArray());
        var message = MimeMessage.Load(stream);
        var to = message.To.Mailboxes.First().Address;
        var text = (message.Subject ?? "") + "\n" + (message.HtmlBody ?? "") + "\n" + (message.TextBody ?? "");
        var stories = StoryId().Matches(text).Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct();
        var now = DateTime.UtcNow;
        lock (_lock)
        {
            _count++;
            foreach (var story in stories)
            {
                if (!_pairs.TryGetValue((to, story), out var times))
                    _pairs[(to, story)] = times = [];
                times.Add(now);
            }
        }
    }

    public async ValueTask DisposeAsync() => await StopListeningAsync();

    private sealed class Store(SoakSmtpServer server) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            server.Receive(buffer);
            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}
