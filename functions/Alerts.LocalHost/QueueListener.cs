using Alerts.Core.Storage;
using Azure.Storage.Queues.Models;

namespace Alerts.LocalHost;

/// <summary>
/// What the Functions queue trigger does, for one queue: poll, run the handler, delete on success, retry after a
/// visibility timeout on failure, and move the message to "{queue}-poison" after <see cref="MaxDequeueCount"/> attempts.
/// </summary>
public sealed class QueueListener(
    LocalFunction function,
    AlertsStorage storage,
    IServiceProvider services,
    ILogger<QueueListener> logger) : BackgroundService
{
    // The same values as host.json, so that both hosts retry alike.
    public const int MaxDequeueCount = 5;
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxPollingInterval = TimeSpan.FromSeconds(1);
    private const int BatchSize = 8;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = storage.Queue(function.Queue!);
        var poison = storage.Queue(QueueNames.Poison(function.Queue!));
        var idle = TimeSpan.FromMilliseconds(100);
        while (!stoppingToken.IsCancellationRequested)
        {
            QueueMessage[] batch;
            try
            {
                batch = (await queue.ReceiveMessagesAsync(BatchSize, VisibilityTimeout, stoppingToken)).Value;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Could not read queue {Queue}", function.Queue);
                await Delay(TimeSpan.FromSeconds(2), stoppingToken);
                continue;
            }

            if (batch.Length == 0)
            {
                await Delay(idle, stoppingToken);
                idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, MaxPollingInterval.Ticks));
                continue;
            }
            idle = TimeSpan.FromMilliseconds(100);
            await Task.WhenAll(batch.Select(m => ProcessAsync(queue, poison, m, stoppingToken)));
        }
    }

    /// <summary>Runs one message through the handler; public so tests can drive a single delivery.</summary>
    public async Task ProcessAsync(
        Azure.Storage.Queues.QueueClient queue, Azure.Storage.Queues.QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        if (message.DequeueCount > MaxDequeueCount)
        {
            logger.LogError("Message {MessageId} on {Queue} failed {Count} times; moved to {Poison}",
                message.MessageId, function.Queue, message.DequeueCount - 1, poison.Name);
            await poison.SendMessageAsync(body, cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            return;
        }
        try
        {
            using var activity = QueueMessages.StartProcessing(function.Name, function.Queue!, body, message.InsertedOn);
            await using var scope = services.CreateAsyncScope();
            await function.QueueHandler!(scope.ServiceProvider, body, cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Shutting down: the message becomes visible again after the timeout and is retried.
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "{Function} failed on message {MessageId} (attempt {Attempt} of {Max})",
                function.Name, message.MessageId, message.DequeueCount, MaxDequeueCount);
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try { await Task.Delay(delay, cancellationToken); }
        catch (OperationCanceledException) { }
    }
}
