using Azure;
using Azure.Core;
using Azure.Core.Pipeline;

namespace Alerts.Core.Tests.Delivery;

/// <summary>
/// A crash at one chosen storage call: the request that matches <see cref="FailWhen"/> throws before it leaves the
/// process (a 503, as storage answers when it is overloaded or restarting), so the handler stops exactly there with
/// everything before it written and nothing after it. Added per call, ahead of the SDK's retries.
/// </summary>
internal sealed class StorageFaults : HttpPipelinePolicy
{
    private readonly object _gate = new();
    private Func<Request, bool>? _failWhen;
    private int _skip;
    private int _times;

    /// <summary>How many requests have been failed so far.</summary>
    public int Injected { get; private set; }

    /// <summary>Fails the <paramref name="times"/> requests that match, after letting <paramref name="skip"/> of them through.</summary>
    public void FailWhen(Func<Request, bool> matches, int skip = 0, int times = 1)
    {
        lock (_gate)
            (_failWhen, _skip, _times) = (matches, skip, times);
    }

    public void Heal()
    {
        lock (_gate)
            _failWhen = null;
    }

    private Func<Request, bool>? _holdWhen;
    private TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>
    /// Holds the first request that matches until <see cref="Release"/>, so that a test can take storage away at that
    /// exact moment. The returned task completes when the request is held.
    /// </summary>
    public Task HoldNext(Func<Request, bool> matches)
    {
        lock (_gate)
        {
            _holdWhen = matches;
            _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
            _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
            return _held.Task;
        }
    }

    /// <summary>Lets the held request go on (to whatever storage there is now).</summary>
    public void Release()
    {
        lock (_gate)
            _release.TrySetResult();
    }

    private Task? Hold(HttpMessage message)
    {
        lock (_gate)
        {
            if (_holdWhen is null || !_holdWhen(message.Request))
                return null;
            _holdWhen = null;
            _held.TrySetResult();
            return _release.Task;
        }
    }

    /// <summary>A request to <paramref name="verb"/> something whose path starts with <paramref name="resource"/> (a table or queue path after the account).</summary>
    public static Func<Request, bool> Is(RequestMethod verb, string resource) =>
        // The table client's path has no leading slash ("devstoreaccount1/Articles"), the queue client's has one.
        r => r.Method == verb && r.Uri.Path.TrimStart('/').Split('/', 2) is [_, var rest] && rest.StartsWith(resource, StringComparison.Ordinal);

    private void Check(HttpMessage message)
    {
        lock (_gate)
        {
            if (_failWhen is null || !_failWhen(message.Request))
                return;
            if (_skip > 0)
            {
                _skip--;
                return;
            }
            if (--_times <= 0)
                _failWhen = null;
            Injected++;
        }
        throw new RequestFailedException(503, $"Injected storage fault at {message.Request.Method} {message.Request.Uri.Path}");
    }

    public override void Process(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Hold(message)?.GetAwaiter().GetResult();
        Check(message);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        if (Hold(message) is { } release)
            await release;
        Check(message);
        await ProcessNextAsync(message, pipeline);
    }
}
