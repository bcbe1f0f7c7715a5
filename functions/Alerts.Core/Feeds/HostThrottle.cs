using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Per-host politeness inside one worker: at most <see cref="FeedFetchOptions.MaxConcurrentPerHost"/> requests in
/// flight to a host, and request starts at least <see cref="FeedFetchOptions.MinHostGap"/> apart. The poller groups
/// a host's feeds into one message, so one worker usually sees all of a host's feeds in a cycle.
/// Waits in real time on purpose: the pacing is for the publisher's server, which does not run on our test clock.
/// </summary>
public sealed class HostThrottle(IOptions<FeedFetchOptions> options)
{
    private sealed class HostState(int slots)
    {
        public SemaphoreSlim Slots { get; } = new(slots, slots);
        public long NextStart;
        public int InFlight;
        public int MaxInFlight;
    }

    private readonly ConcurrentDictionary<string, HostState> _hosts = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Most requests seen in flight to any one host (for the poll benchmark and tests).</summary>
    public int MaxObservedConcurrency => _hosts.Values.Select(h => Volatile.Read(ref h.MaxInFlight)).DefaultIfEmpty(0).Max();

    public async Task<IDisposable> AcquireAsync(string host, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var state = _hosts.GetOrAdd(host, _ => new HostState(Math.Max(1, settings.MaxConcurrentPerHost)));
        await state.Slots.WaitAsync(cancellationToken);
        try
        {
            TimeSpan wait;
            lock (state)
            {
                var now = Stopwatch.GetTimestamp();
                var start = Math.Max(now, state.NextStart);
                state.NextStart = start + (long)(settings.MinHostGap.TotalSeconds * Stopwatch.Frequency);
                wait = Stopwatch.GetElapsedTime(now, start);
            }
            if (wait > TimeSpan.Zero)
                await Task.Delay(wait, cancellationToken);
        }
        catch
        {
            state.Slots.Release();
            throw;
        }
        var inFlight = Interlocked.Increment(ref state.InFlight);
        int seen;
        while (inFlight > (seen = Volatile.Read(ref state.MaxInFlight)) && Interlocked.CompareExchange(ref state.MaxInFlight, inFlight, seen) != seen)
        {
        }
        return new Lease(state);
    }

    private sealed class Lease(HostState state) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            Interlocked.Decrement(ref state.InFlight);
            state.Slots.Release();
        }
    }
}
