using System.Globalization;
using Alerts.Core.Storage;
using Azure;
using Azure.Data.Tables;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// A host's slots were all taken (or its gap not yet over) by other instances, or on a redirect hop by anyone
/// (<see cref="FeedFetcher"/>), for longer than a fetch may wait.
/// </summary>
public sealed class HostBusyException(string host, TimeSpan retryAfter)
    : Exception($"Every request slot for {host} stayed taken; try again in {retryAfter.TotalSeconds:0.#} s.")
{
    public string Host { get; } = host;

    /// <summary>When to try again: the caller queues the feed again with this visibility delay.</summary>
    public TimeSpan RetryAfter { get; } = retryAfter;
}

/// <summary>
/// Per-host politeness across instances: one row per host in table <c>HostSlots</c> lists the requests in flight to it
/// (an id and an expiry each) and the earliest time the next request may start. Taking a slot is a read and an
/// ETag-conditional write, retried when another instance wrote first, so every instance together keeps at most
/// <see cref="FeedFetchOptions.MaxConcurrentPerHost"/> requests in flight and starts them
/// <see cref="FeedFetchOptions.MinHostGap"/> apart (each start is booked a gap after the last booked one, and a holder
/// that could begin only well after its booked instant books again rather than begin close to the next).
/// <see cref="HostThrottle"/> paces inside the process first, so one instance only meets this row's contention for
/// slots its own requests are giving back.
/// <para>
/// A slot expires on its own after the fetch timeout plus a margin: the fetch's deadline bounds how long a request can
/// hold it, so an instance that dies holding a slot blocks the host for at most that long.
/// </para>
/// <para>
/// Real time on purpose, like <see cref="HostThrottle"/>: the pacing is for the publisher's server, which does not run on
/// a test's clock (a frozen clock would never let the gap pass).
/// </para>
/// </summary>
public sealed class SharedHostSlots(AlertsStorage storage, IOptions<FeedFetchOptions> options, ILogger<SharedHostSlots> logger)
{
    private const string RowKey = "slots";
    private const int MaxReleaseAttempts = 10;

    /// <summary>How long a slot is held past the fetch timeout before others may take it (a holder that died).</summary>
    public static readonly TimeSpan ExpiryMargin = TimeSpan.FromSeconds(10);

    /// <summary>Read again this often while every slot is taken: each read is one storage transaction.</summary>
    private static readonly TimeSpan FullPoll = TimeSpan.FromMilliseconds(100);

    private TableClient Table => storage.Table(TableNames.HostSlots);

    /// <summary>How long the last slot write took on this instance (ticks): the lead an idle host's start is booked with.</summary>
    private long _writeTicks;

    /// <summary>
    /// Takes one of <paramref name="host"/>'s slots, waiting (in real time) at most the fetch timeout for one to free
    /// and for the gap since the last start to pass; then throws <see cref="HostBusyException"/>. Dispose to give it back.
    /// </summary>
    public async Task<IAsyncDisposable> AcquireAsync(string host, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var max = Math.Max(1, settings.MaxConcurrentPerHost);
        var partition = TableKeys.Hash(host.ToLowerInvariant());
        var id = Guid.NewGuid().ToString("N");
        var giveUpAt = DateTimeOffset.UtcNow + settings.Timeout;
        while (true)
        {
            var current = await Table.GetEntityIfExistsAsync<TableEntity>(partition, RowKey, cancellationToken: cancellationToken);
            var now = DateTimeOffset.UtcNow;
            var state = current.HasValue ? SlotState.From(current.Value!, now) : new SlotState([], 0);
            // A free slot is taken at once, with its start booked at the host's next permitted start: the holder then
            // sleeps until that instant. Booking ahead keeps the starts a gap apart however long the write took, and a
            // waiter needs no polling for the gap. Only when every slot is taken does it poll.
            // A start booked for "now" would begin only when the write returns, and the next holder's start is booked a
            // gap after the booked instant, not after that return. So an idle host's start is booked a little ahead, by
            // twice what writes have been taking here (a write slower than that is caught below as a late start).
            var earliest = now.UtcTicks + Math.Min(Interlocked.Read(ref _writeTicks) * 2, settings.Timeout.Ticks / 4);
            var start = new DateTimeOffset(Math.Max(state.NextStartTicks, earliest), TimeSpan.Zero);
            if (state.Holders.Count < max && start <= giveUpAt)
            {
                var holders = state.Holders.Append(new Holder(id, (start + settings.Timeout + ExpiryMargin).UtcTicks)).ToList();
                var entity = SlotState.ToEntity(partition, host, holders, (start + settings.MinHostGap).UtcTicks);
                try
                {
                    var writing = System.Diagnostics.Stopwatch.StartNew();
                    var response = current.HasValue
                        ? await Table.UpdateEntityAsync(entity, current.Value!.ETag, TableUpdateMode.Replace, cancellationToken)
                        : await Table.AddEntityAsync(entity, cancellationToken);
                    Interlocked.Exchange(ref _writeTicks, writing.Elapsed.Ticks);
                    var slot = new Slot(this, partition, host, id, response.Headers.ETag ?? default, holders, entity);
                    while (true)
                    {
                        var untilStart = start - DateTimeOffset.UtcNow;
                        if (untilStart > TimeSpan.Zero)
                        {
                            try
                            {
                                await Task.Delay(untilStart, cancellationToken);
                            }
                            catch (OperationCanceledException)
                            {
                                await slot.DisposeAsync();
                                throw;
                            }
                        }
                        // Beginning well after the booked instant (the write's reply came late, as in a storage latency
                        // spike, or this process was paused) would put this request closer than the gap to the next
                        // holder, whose start is booked a gap after that instant. So the booking moves: kept in place if
                        // nobody has written since (our own ETag still holds, one write), else given back and booked
                        // again after whoever did.
                        var begin = DateTimeOffset.UtcNow;
                        var late = begin - start;
                        if (late <= settings.MinHostGap / 4)
                        {
                            logger.LogDebug("A slot for host {Host} begins at {Begin:O}, {Late} after its booked start", host, begin, late);
                            return slot;
                        }
                        logger.LogInformation("A slot for host {Host} came {Late} after its booked start; booking again", host, late);
                        start = new DateTimeOffset(begin.UtcTicks + Math.Min(Interlocked.Read(ref _writeTicks) * 2, settings.Timeout.Ticks / 4), TimeSpan.Zero);
                        Slot? moved;
                        try
                        {
                            moved = start <= giveUpAt ? await MoveAsync(slot, start, settings, cancellationToken) : null;
                        }
                        catch
                        {
                            await slot.DisposeAsync();
                            throw;
                        }
                        if (moved is null)
                        {
                            await slot.DisposeAsync();
                            break;
                        }
                        slot = moved;
                    }
                    continue;
                }
                catch (RequestFailedException ex) when (ex.Status is 409 or 412)
                {
                    // Another instance took or gave back a slot in between: read again and decide on what is there now.
                    continue;
                }
            }

            if (now + FullPoll > giveUpAt || start > giveUpAt)
            {
                var retryAfter = RetryDelay(settings.Timeout);
                logger.LogInformation("Every slot for host {Host} stayed taken by other instances; retrying in {RetryAfter}", host, retryAfter);
                throw new HostBusyException(host, retryAfter);
            }
            // Every slot taken: read again shortly (each read is a transaction), jittered so waiters do not collide.
            await Task.Delay(FullPoll + TimeSpan.FromMilliseconds(Random.Shared.Next(0, 50)), cancellationToken);
        }
    }

    /// <summary>
    /// Books a held slot's start again at <paramref name="start"/>, conditional on the ETag of the slot's own write: null
    /// when another instance has written since (it may have booked after the old start; the caller gives the slot back).
    /// </summary>
    private async Task<Slot?> MoveAsync(Slot slot, DateTimeOffset start, FeedFetchOptions settings, CancellationToken cancellationToken)
    {
        var holders = slot.Holders.Select(h => h.Id == slot.Id ? h with { ExpiresTicks = (start + settings.Timeout + ExpiryMargin).UtcTicks } : h).ToList();
        var entity = SlotState.ToEntity(slot.Partition, slot.Host, holders, (start + settings.MinHostGap).UtcTicks);
        try
        {
            var writing = System.Diagnostics.Stopwatch.StartNew();
            var response = await Table.UpdateEntityAsync(entity, slot.ETag, TableUpdateMode.Replace, cancellationToken);
            Interlocked.Exchange(ref _writeTicks, writing.Elapsed.Ticks);
            return new Slot(this, slot.Partition, slot.Host, slot.Id, response.Headers.ETag ?? default, holders, entity);
        }
        catch (RequestFailedException ex) when (ex.Status is 409 or 412 or 404)
        {
            return null;
        }
    }

    /// <summary>
    /// How long a feed that could not get a slot stays hidden in the queue: one to two timeouts, jittered so the feeds
    /// of a busy host do not all come back at once.
    /// </summary>
    public static TimeSpan RetryDelay(TimeSpan timeout) =>
        timeout + TimeSpan.FromMilliseconds(Random.Shared.NextDouble() * timeout.TotalMilliseconds);

    /// <summary>
    /// Gives the slot back: first a write conditional on the ETag our own write returned (one transaction when nobody
    /// wrote since), else read, remove our entry, write conditionally. Best effort: a slot not given back expires.
    /// </summary>
    private async Task ReleaseAsync(Slot slot)
    {
        var etag = slot.ETag;
        var holders = slot.Holders;
        var nextStart = slot.Entity.GetInt64(nameof(SlotState.NextStartTicks)) ?? 0;
        for (var attempt = 0; attempt < MaxReleaseAttempts; attempt++)
        {
            try
            {
                var remaining = holders.Where(h => h.Id != slot.Id).ToList();
                await Table.UpdateEntityAsync(SlotState.ToEntity(slot.Partition, slot.Host, remaining, nextStart), etag, TableUpdateMode.Replace);
                return;
            }
            catch (RequestFailedException ex) when (ex.Status is 412 or 404)
            {
                if (ex.Status == 404)
                    return;
            }
            catch (Exception ex) when (ex is RequestFailedException or HttpRequestException or IOException)
            {
                logger.LogWarning("Giving back a slot for host {Host} failed: {Error}; it expires on its own", slot.Host, ex.Message);
                return;
            }
            var current = await Table.GetEntityIfExistsAsync<TableEntity>(slot.Partition, RowKey);
            if (!current.HasValue)
                return;
            var state = SlotState.From(current.Value!, DateTimeOffset.UtcNow);
            if (state.Holders.All(h => h.Id != slot.Id))
                return;
            etag = current.Value!.ETag;
            holders = state.Holders;
            nextStart = state.NextStartTicks;
        }
        logger.LogWarning("Giving back a slot for host {Host} stayed contended; it expires on its own", slot.Host);
    }

    private sealed record Holder(string Id, long ExpiresTicks);

    /// <summary>The row: holders as "id:expiryTicks" joined by ',', and the next permitted start in UTC ticks.</summary>
    private sealed record SlotState(IReadOnlyList<Holder> Holders, long NextStartTicks)
    {
        public static SlotState From(TableEntity entity, DateTimeOffset now)
        {
            var holders = (entity.GetString("Holders") ?? "")
                .Split(',', StringSplitOptions.RemoveEmptyEntries)
                .Select(part => part.Split(':'))
                .Where(p => p.Length == 2 && long.TryParse(p[1], CultureInfo.InvariantCulture, out _))
                .Select(p => new Holder(p[0], long.Parse(p[1], CultureInfo.InvariantCulture)))
                // Expired: its holder died or hung past its deadline; the slot is free again.
                .Where(h => h.ExpiresTicks > now.UtcTicks)
                .ToList();
            return new SlotState(holders, entity.GetInt64(nameof(NextStartTicks)) ?? 0);
        }

        public static TableEntity ToEntity(string partition, string host, IEnumerable<Holder> holders, long nextStartTicks) => new(partition, RowKey)
        {
            ["Host"] = host,
            ["Holders"] = string.Join(',', holders.Select(h => h.Id + ":" + h.ExpiresTicks.ToString(CultureInfo.InvariantCulture))),
            [nameof(NextStartTicks)] = nextStartTicks,
        };
    }

    private sealed class Slot(SharedHostSlots owner, string partition, string host, string id, ETag etag, IReadOnlyList<Holder> holders, TableEntity entity)
        : IAsyncDisposable
    {
        private int _released;
        public string Partition { get; } = partition;
        public string Host { get; } = host;
        public string Id { get; } = id;
        public ETag ETag { get; } = etag;
        public IReadOnlyList<Holder> Holders { get; } = holders;
        public TableEntity Entity { get; } = entity;

        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
                await owner.ReleaseAsync(this);
        }
    }
}
