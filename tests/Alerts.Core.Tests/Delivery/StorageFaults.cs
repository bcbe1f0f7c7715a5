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
        Check(message);
        ProcessNext(message, pipeline);
    }

    public override async ValueTask ProcessAsync(HttpMessage message, ReadOnlyMemory<HttpPipelinePolicy> pipeline)
    {
        Check(message);
        await ProcessNextAsync(message, pipeline);
    }
}
