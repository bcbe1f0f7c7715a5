using System.ComponentModel.DataAnnotations;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Email;

/// <summary>
/// The mail provider's sending limits, for every instance together (app settings <c>SendRate__PerMinute</c>,
/// <c>SendRate__PerHour</c>). 0 means no limit. Azure Communication Services starts a custom domain at tens of emails
/// per minute and about a hundred per hour until a support request raises them; the Bicep defaults are those figures.
/// </summary>
public sealed class SendRateOptions
{
    public const string Section = "SendRate";

    [Range(0, 1_000_000)]
    public int PerMinute { get; set; }

    [Range(0, 10_000_000)]
    public int PerHour { get; set; }

    public bool Enabled => PerMinute > 0 || PerHour > 0;
}

/// <summary>
/// A token bucket per limit in one row of table <c>SendRate</c>, shared by every instance: each bucket holds up to its
/// limit and refills at the limit per window, so a quiet service may send a burst of up to the limit and then the limit's
/// rate. Taking a token is a read and an ETag-conditional write of the row (both buckets at once), retried when another
/// instance took one first. With no limit configured it does no storage I/O at all.
/// </summary>
public sealed class SendRateLimiter(AlertsStorage storage, IOptions<SendRateOptions> options, TimeProvider time, ILogger<SendRateLimiter> logger)
{
    private const string Partition = "global";
    private const string Row = "buckets";
    private const int MaxAttempts = 20;

    private TableClient Table => storage.Table(TableNames.SendRate);

    /// <summary>
    /// Null when one email may be sent now (its token is taken); otherwise how long until a token is free. The caller
    /// waits that long (a queue message hidden for it), never fails the email.
    /// </summary>
    public async Task<TimeSpan?> TryTakeAsync(CancellationToken cancellationToken = default)
    {
        var settings = options.Value;
        if (!settings.Enabled)
            return null;
        for (var attempt = 0; attempt < MaxAttempts; attempt++)
        {
            var current = await Table.GetEntityIfExistsAsync<TableEntity>(Partition, Row, cancellationToken: cancellationToken);
            var now = time.GetUtcNow();
            var minute = Bucket.Read(current, "Minute", settings.PerMinute, TimeSpan.FromMinutes(1), now);
            var hour = Bucket.Read(current, "Hour", settings.PerHour, TimeSpan.FromHours(1), now);
            var wait = new[] { minute.WaitForOne(), hour.WaitForOne() }.Max();
            if (wait > TimeSpan.Zero)
                return wait;
            var next = new TableEntity(Partition, Row) { ["UpdatedAt"] = now };
            minute.Take().Write(next, "Minute");
            hour.Take().Write(next, "Hour");
            try
            {
                if (current.HasValue)
                    await Table.UpdateEntityAsync(next, current.Value!.ETag, TableUpdateMode.Replace, cancellationToken);
                else
                    await Table.AddEntityAsync(next, cancellationToken);
                return null;
            }
            catch (RequestFailedException ex) when (ex.Status is 409 or 412)
            {
                // Another instance took a token in between: read again and take from what is left.
                await Task.Delay(TimeSpan.FromMilliseconds(Random.Shared.Next(0, 20 * (attempt + 1))), cancellationToken);
            }
        }
        // Sustained contention means many instances are sending right now: wait a little rather than count loosely.
        logger.LogInformation("The send-rate row stayed contended after {Attempts} attempts; waiting", MaxAttempts);
        return TimeSpan.FromSeconds(1);
    }

    /// <summary>
    /// For an email sent from a queue message: true when a token was taken and it may be sent now. Otherwise the same
    /// message goes back on its queue, hidden until a token should be free (plus jitter, so the waiting emails spread
    /// out), and the answer is false: the caller stops without sending. Waiting is not a failure and not an attempt, so
    /// a message is never poisoned by it.
    /// </summary>
    public async Task<bool> TakeOrRequeueAsync<T>(string queueName, T message, CancellationToken cancellationToken = default)
    {
        if (await TryTakeAsync(cancellationToken) is not { } wait)
            return true;
        var hidden = wait + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * Math.Max(1000, wait.TotalMilliseconds));
        await storage.Queue(queueName).SendHiddenAsync(message, hidden, cancellationToken, neverExpires: true);
        logger.LogInformation("An email from {Queue} waits {Delay} for the send rate", queueName, hidden);
        return false;
    }

    /// <param name="Limit">Tokens per window and the bucket's size; 0 means this bucket never limits.</param>
    private readonly record struct Bucket(int Limit, TimeSpan Window, double Tokens)
    {
        public static Bucket Read(NullableResponse<TableEntity> row, string name, int limit, TimeSpan window, DateTimeOffset now)
        {
            if (limit <= 0)
                return new(0, window, 0);
            if (!row.HasValue || row.Value!.GetDouble(name + "Tokens") is not { } tokens || row.Value.GetDateTimeOffset("UpdatedAt") is not { } updated)
                return new(limit, window, limit);
            // A lowered limit takes effect at once; a clock that went back refills nothing.
            var refill = Math.Max(0, (now - updated).TotalSeconds) * limit / window.TotalSeconds;
            return new(limit, window, Math.Min(limit, tokens + refill));
        }

        public TimeSpan WaitForOne() =>
            Limit <= 0 || Tokens >= 1 ? TimeSpan.Zero : TimeSpan.FromSeconds((1 - Tokens) * Window.TotalSeconds / Limit);

        public Bucket Take() => Limit <= 0 ? this : this with { Tokens = Tokens - 1 };

        public void Write(TableEntity entity, string name)
        {
            if (Limit > 0)
                entity[name + "Tokens"] = Tokens;
        }
    }
}
