using System.Net.Sockets;
using Alerts.Core.Email;
using Alerts.Core.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Health;

/// <summary>
/// <c>GET /healthz</c> in both hosts: storage (every queue's depth and oldest message), the SMTP relay (a TCP connect)
/// and stalled queues, checked in parallel, each bounded by <see cref="HealthOptions.Timeout"/> so the answer comes
/// within 2 s even when a dependency hangs. 200 when all pass; 503 naming what failed.
/// </summary>
public sealed class HealthEndpoint(AlertsStorage storage, IOptions<SmtpOptions> smtp, IOptions<HealthOptions> options, TimeProvider time)
{
    public const string Route = "healthz";

    public async Task<IResult> GetAsync(HttpRequest request)
    {
        var settings = options.Value;
        var storageCheck = Bounded("storage", async ct =>
        {
            var now = time.GetUtcNow();
            // Every queue at once: one round trip's time, not thirty-two, however slow storage is today.
            return await Task.WhenAll(QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) }).Select(async name =>
            {
                var queue = storage.Queue(name);
                var depth = (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
                var oldest = QueueNames.All.Contains(name) && (await queue.PeekMessagesAsync(1, ct)).Value is [{ InsertedOn: { } inserted }]
                    ? Math.Max(0, (now - inserted).TotalSeconds)
                    : (double?)null;
                return (Name: name, Depth: depth, OldestSeconds: oldest);
            }));
        }, settings.Timeout);
        var smtpCheck = Bounded("smtp", async ct =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(smtp.Value.Host, smtp.Value.Port, ct);
            return true;
        }, settings.Timeout);
        var (read, storageError) = await storageCheck;
        var (_, smtpError) = await smtpCheck;

        // Filled from the finished answer only: a check abandoned at its timeout may still complete later.
        var queues = (read ?? []).ToDictionary(q => q.Name, q => q.Depth);
        var ages = (read ?? []).Where(q => q.OldestSeconds is not null).ToDictionary(q => q.Name, q => q.OldestSeconds!.Value);
        var failing = new[] { storageError, smtpError }.OfType<string>().ToList();
        foreach (var (name, age) in ages)
            if (age > settings.MaxQueueAge.TotalSeconds)
                failing.Add($"queue {name}: oldest message waited {age:0} s (more than {settings.MaxQueueAge.TotalSeconds:0} s): stalled");

        var body = new
        {
            status = failing.Count == 0 ? "healthy" : "unhealthy",
            failing,
            queues,
            oldestMessageSeconds = ages,
        };
        return Results.Json(body, statusCode: failing.Count == 0 ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable);
    }

    /// <summary>Runs one check: its answer, or its error text. A check that hangs is abandoned at the timeout.</summary>
    private static async Task<(T? Answer, string? Error)> Bounded<T>(string name, Func<CancellationToken, Task<T>> check, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // WaitAsync as well as the token: a client retrying inside its own pipeline may not look at the token in time.
            return (await check(cts.Token).WaitAsync(timeout), null);
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return (default, $"{name}: no answer within {timeout.TotalMilliseconds:0} ms");
        }
        catch (Exception ex)
        {
            return (default, $"{name}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}");
        }
    }
}
