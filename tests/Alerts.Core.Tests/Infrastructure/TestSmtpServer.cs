using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Alerts.Core.Email;
using MimeKit;
using SmtpServer;
using SmtpServer.ComponentModel;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>
/// A real SMTP server in the test process, on 127.0.0.1 and a free port. Every accepted message is parsed into a
/// <see cref="MimeMessage"/>. <see cref="FailNext"/> makes the next deliveries fail with 554 after DATA, the way a
/// relay refuses a message, to test retries.
/// </summary>
public sealed class TestSmtpServer : IAsyncDisposable
{
    private CancellationTokenSource _stop = new();
    private readonly List<MimeMessage> _messages = [];
    private readonly Lock _lock = new();
    private Task _running;
    private int _tryLater;
    private int _failuresLeft;
    private int _rejected;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private TestSmtpServer(int port)
    {
        Port = port;
        _running = Listen();
    }

    private Task Listen()
    {
        var options = new SmtpServerOptionsBuilder()
            .ServerName("test-smtp.localhost")
            .Endpoint(e => e.Endpoint(new IPEndPoint(IPAddress.Loopback, Port)))
            .Build();
        var services = new ServiceProvider();
        services.Add(new Store(this));
        return new SmtpServer.SmtpServer(options, services).StartAsync(_stop.Token);
    }

    /// <summary>An outage: stop listening, so that connections are refused, until <see cref="ResumeAsync"/>.</summary>
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

    /// <summary>Listens again on the same port after <see cref="StopListeningAsync"/>.</summary>
    public async Task ResumeAsync()
    {
        _running = Listen();
        await WaitUntilListeningAsync(TimeSpan.FromSeconds(10));
    }

    /// <summary>While set, every message is answered 451 ("try again later") after DATA, as a throttled relay does.</summary>
    public bool TryLater
    {
        get => Volatile.Read(ref _tryLater) == 1;
        set => Volatile.Write(ref _tryLater, value ? 1 : 0);
    }

    public int Port { get; }

    public IReadOnlyList<MimeMessage> Messages
    {
        get { lock (_lock) return _messages.ToList(); }
    }

    /// <summary>How many deliveries were refused through <see cref="FailNext"/>.</summary>
    public int Rejected => Volatile.Read(ref _rejected);

    public static async Task<TestSmtpServer> StartAsync()
    {
        var server = new TestSmtpServer(FreePort.Next());
        await server.WaitUntilListeningAsync(TimeSpan.FromSeconds(10));
        return server;
    }

    /// <summary>Options for <see cref="SmtpEmailSender"/> pointing here (no TLS, no auth).</summary>
    public SmtpOptions Options(string fromAddress = "alerts@alerts.test") => new()
    {
        Host = "127.0.0.1",
        Port = Port,
        Security = "None",
        FromAddress = fromAddress,
        FromName = "Alerts",
        Timeout = TimeSpan.FromSeconds(10),
    };

    /// <summary>
    /// The same as <see cref="Options"/>, as a host's configuration gives them, for <see cref="CoreTestServices.Build"/>:
    /// the graph's sender, email writer and health check then all point here.
    /// </summary>
    public Dictionary<string, string?> Settings(string fromAddress = "alerts@alerts.test")
    {
        var options = Options(fromAddress);
        return new Dictionary<string, string?>
        {
            ["Smtp:Host"] = options.Host,
            ["Smtp:Port"] = options.Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Smtp:Security"] = options.Security,
            ["Smtp:FromAddress"] = options.FromAddress,
            ["Smtp:FromName"] = options.FromName,
            ["Smtp:Timeout"] = options.Timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture),
        };
    }

    /// <summary>Refuse the next <paramref name="count"/> messages with a permanent 554 reply.</summary>
    public void FailNext(int count) => Volatile.Write(ref _failuresLeft, count);

    public void Clear()
    {
        lock (_lock) _messages.Clear();
    }

    public async Task<MimeMessage> WaitForMessageAsync(Func<MimeMessage, bool> predicate, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                if (_messages.FirstOrDefault(predicate) is { } found)
                    return found;
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new TimeoutException($"No matching message within {timeout}; received {Messages.Count}.");
            }
        }
    }

    private SmtpResponse Receive(ReadOnlySequence<byte> buffer)
    {
        if (TryLater)
        {
            Interlocked.Increment(ref _rejected);
            return new SmtpResponse((SmtpReplyCode)451, "Try again later (test switch)");
        }
        if (Interlocked.Decrement(ref _failuresLeft) >= 0)
        {
            Interlocked.Increment(ref _rejected);
            return new SmtpResponse(SmtpReplyCode.TransactionFailed, "Rejected by test switch");
        }
        Interlocked.Exchange(ref _failuresLeft, 0);

        using var stream = new MemoryStream(buffer.ToArray());
        var message = MimeMessage.Load(stream);
        lock (_lock)
        {
            _messages.Add(message);
            var changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            changed.SetResult();
        }
        return SmtpResponse.Ok;
    }

    private async Task WaitUntilListeningAsync(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (_running.IsFaulted)
                await _running;
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

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(5));
        }
        catch (OperationCanceledException)
        {
        }
        catch (TimeoutException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(TestSmtpServer server) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(
            ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken cancellationToken) =>
            Task.FromResult(server.Receive(buffer));
    }
}
