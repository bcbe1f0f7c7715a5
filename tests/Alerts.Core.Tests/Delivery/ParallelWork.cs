namespace Alerts.Core.Tests.Delivery;

/// <summary>What the concurrency tests share: a queue taken in full, and work run by many workers released at once.</summary>
internal static class ParallelWork
{
    /// <summary>Receives and deletes every visible message of the queue; their bodies in order.</summary>
    public static async Task<List<string>> ReceiveAllAsync(Azure.Storage.Queues.QueueClient queue)
    {
        var bodies = new List<string>();
        while ((await queue.ReceiveMessagesAsync(32, TimeSpan.FromMinutes(1))).Value is { Length: > 0 } batch)
            foreach (var received in batch)
            {
                bodies.Add(received.Body.ToString());
                await queue.DeleteMessageAsync(received.MessageId, received.PopReceipt);
            }
        return bodies;
    }

    /// <summary>Every piece of work, <paramref name="workers"/> times over, released together by one signal.</summary>
    public static async Task AllAtOnceAsync(IEnumerable<Func<Task>> work, int workers)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var tasks = work.SelectMany(w => Enumerable.Range(0, workers).Select(_ => Task.Run(async () => { await go.Task; await w(); }))).ToList();
        go.SetResult();
        await Task.WhenAll(tasks);
    }
}
