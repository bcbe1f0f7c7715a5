namespace Alerts.Core.Feeds;

/// <summary>
/// Runs CPU-bound work on a thread of its own under a time budget. Past the budget the work's token is cancelled
/// (it stops at its next check) and the caller gets <see cref="OperationCanceledException"/> at once, without
/// waiting for it: a pathological document costs one thread for a while, never the caller's progress.
/// </summary>
public static class CpuBudget
{
    public static async Task<T> RunAsync<T>(Func<CancellationToken, T> work, TimeSpan budget, CancellationToken cancellationToken)
    {
        var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(budget);
        var token = limit.Token;
        var task = Task.Factory.StartNew(() => work(token), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        // Disposed only when the work has really ended (it may outlive this call), observing its fault if any.
        _ = task.ContinueWith(t => { _ = t.Exception; limit.Dispose(); }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        return await task.WaitAsync(token);
    }
}
