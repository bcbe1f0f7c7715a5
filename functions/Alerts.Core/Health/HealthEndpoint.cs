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
        var queues = new Dictionary<string, int>();
        var ages = new Dictionary<string, double>();
        var failing = new List<string>();

        var storageCheck = Bounded("storage", async ct =>
        {
            var now = time.GetUtcNow();
            foreach (var name in QueueNames.All.SelectMany(q => new[] { q, QueueNames.Poison(q) }))
            {
                var queue = storage.Queue(name);
                queues[name] = (await queue.GetPropertiesAsync(ct)).Value.ApproximateMessagesCount;
                if (QueueNames.All.Contains(name) && (await queue.PeekMessagesAsync(1, ct)).Value is [{ InsertedOn: { } inserted }])
                    ages[name] = Math.Max(0, (now - inserted).TotalSeconds);
            }
        }, settings.Timeout);
        var smtpCheck = Bounded("smtp", async ct =>
        {
            using var client = new TcpClient();
            await client.ConnectAsync(smtp.Value.Host, smtp.Value.Port, ct);
        }, settings.Timeout);
        foreach (var error in await Task.WhenAll(storageCheck, smtpCheck))
            if (error is not null)
                failing.Add(error);
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

    /// <summary>Runs one check; its error text, or null when it passed. A check that hangs is abandoned at the timeout.</summary>
    private static async Task<string?> Bounded(string name, Func<CancellationToken, Task> check, TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            // WaitAsync as well as the token: a client retrying inside its own pipeline may not look at the token in time.
            await check(cts.Token).WaitAsync(timeout);
            return null;
        }
        catch (Exception ex) when (ex is TimeoutException or OperationCanceledException)
        {
            return $"{name}: no answer within {timeout.TotalMilliseconds:0} ms";
        }
        catch (Exception ex)
        {
            return $"{name}: {ex.GetType().Name}: {ex.Message.Split('\n')[0]}";
        }
    }
}
