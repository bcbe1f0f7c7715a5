using System.Collections.Concurrent;
using System.Diagnostics;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Per-host politeness: at most <see cref="FeedFetchOptions.MaxConcurrentPerHost"/> requests in flight to a host, and
/// request starts at least <see cref="FeedFetchOptions.MinHostGap"/> apart. Paced inside this worker first (no storage
/// round trip while this worker's own requests queue), then, when <paramref name="shared"/> is registered, across every
/// instance through <see cref="SharedHostSlots"/>: the poller groups at most FeedsPerMessage feeds of a host into one
/// message, so a host with more feeds is fetched by several instances at once.
/// Waits in real time on purpose: the pacing is for the publisher's server, which does not run on our test clock.
/// </summary>
public sealed class HostThrottle(IOptions<FeedFetchOptions> options, SharedHostSlots? shared = null)
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

    /// <summary>
    /// Waits for a slot for <paramref name="host"/>; dispose the result to give it back. Throws
    /// <see cref="HostBusyException"/> when other instances kept every shared slot for longer than a fetch may wait.
    /// </summary>
    public async Task<IAsyncDisposable> AcquireAsync(string host, CancellationToken cancellationToken)
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
        IAsyncDisposable? sharedSlot = null;
        try
        {
            if (shared is not null)
                sharedSlot = await shared.AcquireAsync(host, cancellationToken);
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
        return new Lease(state, sharedSlot);
    }

    private sealed class Lease(HostState state, IAsyncDisposable? sharedSlot) : IAsyncDisposable
    {
        private int _released;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) != 0)
                return;
            Interlocked.Decrement(ref state.InFlight);
            // The shared slot first: while it is given back this worker's next request to the host still waits locally,
            // so it does not meet its own slot as taken.
            try
            {
                if (sharedSlot is not null)
                    await sharedSlot.DisposeAsync();
            }
            finally
            {
                state.Slots.Release();
            }
        }
    }
}
