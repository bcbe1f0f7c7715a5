using System.Collections.Concurrent;
using Alerts.Core.Storage;
using Alerts.Functions;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;

namespace Alerts.LocalHost;

/// <summary>
/// What the Functions queue trigger does, for one queue: poll, run the handler, delete on success, retry after a
/// visibility timeout on failure, and move the message to "{queue}-poison" after <see cref="MaxDequeueCount"/> attempts.
/// Messages run independently, up to <see cref="MaxInFlight"/> at once: a slow one (a hanging feed, a hostile
/// document) holds only its own slot, never the messages received with it or after it.
/// </summary>
public sealed class QueueListener(
    FunctionInvoker function,
    AlertsStorage storage,
    IConfiguration configuration,
    IServiceProvider services,
    ILogger<QueueListener> logger) : BackgroundService
{
    /// <summary>The queue the trigger names, its <c>%Setting%</c> resolved.</summary>
    public string QueueName { get; } = SettingExpressions.Resolve(function.Function.Queue!, configuration, function.Function.Name);

    public DeclaredFunction Function => function.Function;

    // The same values as host.json, so that both hosts retry alike.
    public const int MaxDequeueCount = 5;
    public static readonly TimeSpan VisibilityTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxPollingInterval = TimeSpan.FromSeconds(1);
    private const int BatchSize = 8;
    private const int NewBatchThreshold = 4;

    /// <summary>As the Functions host: batchSize plus newBatchThreshold messages in flight per queue and instance.</summary>
    public const int MaxInFlight = BatchSize + NewBatchThreshold;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var queue = storage.Queue(QueueName);
        var poison = storage.Queue(QueueNames.Poison(QueueName));
        var idle = TimeSpan.FromMilliseconds(100);
        // Not disposed: a finishing message may release its slot after this method has returned.
        var slots = new SemaphoreSlim(MaxInFlight, MaxInFlight);
        var running = new ConcurrentDictionary<Task, bool>();
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                // At least one free slot, then as many more as are free now, up to a batch.
                await slots.WaitAsync(stoppingToken);
                var free = 1;
                while (free < BatchSize && slots.Wait(0))
                    free++;

                QueueMessage[] batch;
                try
                {
                    batch = (await queue.ReceiveMessagesAsync(free, VisibilityTimeout, stoppingToken)).Value;
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    slots.Release(free);
                    return;
                }
                catch (Exception ex)
                {
                    slots.Release(free);
                    logger.LogWarning(ex, "Could not read queue {Queue}", QueueName);
                    await Delay(TimeSpan.FromSeconds(2), stoppingToken);
                    continue;
                }

                if (batch.Length < free)
                    slots.Release(free - batch.Length);
                if (batch.Length == 0)
                {
                    await Delay(idle, stoppingToken);
                    idle = TimeSpan.FromTicks(Math.Min(idle.Ticks * 2, MaxPollingInterval.Ticks));
                    continue;
                }
                idle = TimeSpan.FromMilliseconds(100);
                foreach (var message in batch)
                {
                    var task = Task.Run(() => ProcessAsync(queue, poison, message, stoppingToken), CancellationToken.None);
                    running[task] = true;
                    _ = task.ContinueWith(t =>
                    {
                        if (t.Exception is { } error && !stoppingToken.IsCancellationRequested)
                            logger.LogError(error, "{Function} could not settle message {MessageId}", Function.Name, message.MessageId);
                        running.TryRemove(t, out _);
                        slots.Release();
                    }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            // Shutting down: let the messages in flight finish or observe the cancellation before the slots go.
            await Task.WhenAll(running.Keys.Select(t => t.ContinueWith(_ => { }, TaskScheduler.Default)));
        }
    }

    /// <summary>Runs one message through the handler; public so tests can drive a single delivery.</summary>
    public async Task ProcessAsync(QueueClient queue, QueueClient poison, QueueMessage message, CancellationToken cancellationToken)
    {
        var body = message.Body.ToString();
        if (message.DequeueCount > MaxDequeueCount)
        {
            logger.LogError("Message {MessageId} on {Queue} failed {Count} times; moved to {Poison}",
                message.MessageId, QueueName, message.DequeueCount - 1, poison.Name);
            await poison.SendMessageAsync(body, cancellationToken);
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt, cancellationToken);
            return;
        }

        var receipt = new Receipt(message.PopReceipt);
        var succeeded = false;
        using (var processing = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            // Like the Functions host, keep a message that is still being worked on invisible, so that it is not
            // delivered a second time while the first delivery runs (at-least-once still holds if we die).
            var keepInvisible = KeepInvisibleAsync(queue, message.MessageId, receipt, processing.Token);
            try
            {
                // The function itself starts the processing activity (QueueMessages.StartProcessing), as in Azure.
                await using var scope = services.CreateAsyncScope();
                await function.InvokeAsync(scope.ServiceProvider, new TriggerInput(Message: message), cancellationToken);
                succeeded = true;
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Shutting down: the message becomes visible again after the timeout and is retried.
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "{Function} failed on message {MessageId} (attempt {Attempt} of {Max})",
                    Function.Name, message.MessageId, message.DequeueCount, MaxDequeueCount);
            }
            finally
            {
                await processing.CancelAsync();
                await keepInvisible;
            }
        }
        if (succeeded)
            await queue.DeleteMessageAsync(message.MessageId, receipt.Value, cancellationToken);
    }

    private sealed class Receipt(string value)
    {
        public string Value { get; set; } = value;
    }

    /// <summary>Pushes the message's visibility out every half timeout until <paramref name="cancellationToken"/> fires.</summary>
    private async Task KeepInvisibleAsync(QueueClient queue, string messageId, Receipt receipt, CancellationToken cancellationToken)
    {
        try
        {
            while (true)
            {
                await Task.Delay(VisibilityTimeout / 2, cancellationToken);
                var updated = await queue.UpdateMessageAsync(messageId, receipt.Value, (string?)null, VisibilityTimeout, cancellationToken);
                receipt.Value = updated.Value.PopReceipt;
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
        }
        catch (Exception ex)
        {
            // The message may be delivered again meanwhile; handlers are idempotent, so that costs work, not data.
            logger.LogWarning(ex, "Could not extend the visibility of message {MessageId} on {Queue}", messageId, QueueName);
        }
    }

    private static async Task Delay(TimeSpan delay, CancellationToken cancellationToken)
    {
        try { await Task.Delay(delay, cancellationToken); }
        catch (OperationCanceledException) { }
    }
}
