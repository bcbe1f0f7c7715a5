using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Alerts.Core.Subscriptions;
using Azure;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Matching;

public sealed class MatchingOptions
{
    public const string Section = "Matching";

    /// <summary>How often an instance applies recent subscription changes; a new subscription waits at most this long.</summary>
    public TimeSpan IndexRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an instance checks for a newer snapshot (one blob property read) and reconciles with it.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long change-log rows are kept; the snapshot writer deletes older ones. Must exceed the writer's schedule.</summary>
    public TimeSpan ChangeLogRetention { get; set; } = TimeSpan.FromDays(2);
}

/// <summary>
/// What the match handler needs of a matched subscription without a read: its id, whether it is instant, and its site
/// restriction. Only subscriptions that are instant or restricted are held (see <see cref="SubscriptionIndexProvider"/>);
/// for any other id, absent means "a digest, all sites". Everything for the email is read when there is a match.
/// </summary>
/// <param name="CreatedAt">When the subscription was made (null from a snapshot older than the field): an article first
/// seen before it does not alert it.</param>
public sealed record IndexedSubscription(string Id, Frequency Frequency, IReadOnlyList<string>? Sites, DateTimeOffset? CreatedAt = null)
{
    /// <summary>True when the subscription takes articles from <paramref name="site"/> (<see cref="SiteFilter"/>).</summary>
    public bool AllowsSite(string? site) => SiteFilter.Allows(Sites, site);
}

/// <summary>
/// The compiled index of all active subscriptions, per process. Matchers only read: a cold instance streams the
/// latest snapshot blob (written by <see cref="SubscriptionSnapshotWriter"/>, the one writer) and the change log since
/// it; a warm one applies the change log's last minutes every <see cref="MatchingOptions.IndexRefreshInterval"/> (one
/// point read per changed subscription), and every <see cref="MatchingOptions.SnapshotInterval"/> checks whether a
/// newer snapshot exists and reconciles with it. Matching never scans the Subscriptions table. Only when there is no
/// snapshot at all (a new deployment) does a loader ask the writer, under its lease, to write the first one.
/// <para>
/// Memory: per subscription the index, the id and a 16-byte (hash, generation) pair; instant or site-restricted
/// subscriptions also keep an <see cref="IndexedSubscription"/>. Queries are not kept (the hash tells a changed one),
/// and a reconcile updates in place instead of building a second copy.
/// </para>
/// </summary>
public sealed class SubscriptionIndexProvider(
    SubscriptionStore store,
    SubscriptionChangeLog changes,
    SubscriptionSnapshotStore snapshots,
    SubscriptionSnapshotWriter writer,
    IOptions<MatchingOptions> options,
    TimeProvider time,
    ILogger<SubscriptionIndexProvider> logger)
{
    // Writers log a change just before writing the row, and clocks differ a little between instances: read back
    // a little further than the last refresh, and re-read rows that appear twice.
    private static readonly TimeSpan Overlap = TimeSpan.FromMinutes(2);

    // The change log and the snapshot are stamped by the storage writers' wall clock, not by the injected TimeProvider
    // (which decides only when to refresh): both sides of the log must read the same clock.
    private static DateTimeOffset WallClock => DateTimeOffset.UtcNow;

    private struct Indexed
    {
        public ulong Hash;
        public int Generation;
    }

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly SubscriptionIndex _index = new();
    private readonly Dictionary<string, Indexed> _indexed = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, IndexedSubscription> _details = new(StringComparer.Ordinal);
    private int _generation;
    private ETag? _snapshotETag;
    private DateTimeOffset? _changesReadAt;
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _snapshotCheckedAt = DateTimeOffset.MinValue;

    /// <summary>
    /// The index, and the details of matched subscriptions that are instant or site-restricted (absent: a digest for
    /// all sites). The dictionary is updated in place and safe to read while a refresh runs.
    /// </summary>
    public async Task<(ISubscriptionIndex Index, IReadOnlyDictionary<string, IndexedSubscription> Subscriptions)> GetAsync(
        CancellationToken cancellationToken = default)
    {
        if (time.GetUtcNow() - _refreshedAt >= options.Value.IndexRefreshInterval)
            await RefreshAsync(force: false, cancellationToken);
        return (_index, _details);
    }

    /// <summary>Brings the index up to date: cold load, recent changes, or a reconcile with a newer snapshot.</summary>
    public async Task RefreshAsync(bool force = true, CancellationToken cancellationToken = default)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            var now = time.GetUtcNow();
            if (!force && now - _refreshedAt < options.Value.IndexRefreshInterval)
                return;
            if (_changesReadAt is null)
                await LoadColdAsync(cancellationToken);
            else if (now - _snapshotCheckedAt >= options.Value.SnapshotInterval)
                await ReconcileIfNewerAsync(cancellationToken);
            else
                await ApplyChangesAsync(cancellationToken);
            _refreshedAt = time.GetUtcNow();
        }
        finally
        {
            _refreshLock.Release();
        }
    }

    private async Task LoadColdAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var snapshot = await snapshots.OpenAsync(cancellationToken);
        for (var attempt = 0; snapshot is null; attempt++)
        {
            // No snapshot yet (a new deployment, or one in an old format): the writer makes one under its lease. If another
            // instance holds the lease it is writing one right now; wait for it rather than read the table here.
            if (attempt == 10)
                throw new InvalidOperationException("No subscription snapshot appeared; the message will be retried.");
            if (!await writer.WriteAsync(force: true, cancellationToken))
                await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            snapshot = await snapshots.OpenAsync(cancellationToken);
        }
        using (snapshot)
            await ReconcileAsync(snapshot, cancellationToken);
        logger.LogInformation("Subscription index loaded from the snapshot of {Version:o}: {Count} subscriptions in {ElapsedMs} ms",
            snapshot.Header.Version, _indexed.Count, time.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task ReconcileIfNewerAsync(CancellationToken cancellationToken)
    {
        _snapshotCheckedAt = time.GetUtcNow();
        if (await snapshots.CurrentETagAsync(cancellationToken) is { } etag && etag != _snapshotETag
            && await snapshots.OpenAsync(cancellationToken) is { } snapshot)
        {
            using (snapshot)
                await ReconcileAsync(snapshot, cancellationToken);
            logger.LogInformation("Subscription index reconciled with the snapshot of {Version:o}: {Count} active",
                snapshot.Header.Version, _indexed.Count);
            return;
        }
        await ApplyChangesAsync(cancellationToken);
    }

    /// <summary>
    /// Makes the index equal to the snapshot plus the change log since it. Subscriptions changed since the snapshot are
    /// left to point reads (the snapshot may hold their older state); the rest are compared by hash and updated in place.
    /// </summary>
    private async Task ReconcileAsync(SnapshotReader snapshot, CancellationToken cancellationToken)
    {
        var readAt = WallClock;
        var changed = await changes.ChangedSinceAsync(snapshot.Header.Version - Overlap, cancellationToken);
        var generation = ++_generation;
        await foreach (var entry in snapshot.EntriesAsync(cancellationToken))
        {
            if (changed.Contains(entry.Id))
                continue;
            var hash = Hash(entry.Query, entry.Frequency, entry.Sites);
            ref var slot = ref CollectionsMarshal.GetValueRefOrNullRef(_indexed, entry.Id);
            if (!System.Runtime.CompilerServices.Unsafe.IsNullRef(ref slot) && slot.Hash == hash)
            {
                slot.Generation = generation;
                continue;
            }
            Index(entry.Id, entry.Query, entry.Frequency, entry.Sites, hash, generation, entry.CreatedAt);
        }
        var gone = _indexed.Where(p => p.Value.Generation != generation && !changed.Contains(p.Key)).Select(p => p.Key).ToList();
        foreach (var id in gone)
            Forget(id);
        await ApplyAsync(changed, cancellationToken);
        _snapshotETag = snapshot.ETag;
        _snapshotCheckedAt = time.GetUtcNow();
        _changesReadAt = readAt;
    }

    private async Task ApplyChangesAsync(CancellationToken cancellationToken)
    {
        var readAt = WallClock;
        var changed = await changes.ChangedSinceAsync(_changesReadAt!.Value - Overlap, cancellationToken);
        await ApplyAsync(changed, cancellationToken);
        _changesReadAt = readAt;
        if (changed.Count > 0)
            logger.LogDebug("Applied {Count} subscription changes to the index", changed.Count);
    }

    /// <summary>Re-reads each changed subscription by its key (never a scan) and indexes or forgets it.</summary>
    private async Task ApplyAsync(IReadOnlySet<string> ids, CancellationToken cancellationToken)
    {
        foreach (var id in ids)
        {
            var current = await store.GetAsync(id, cancellationToken);
            if (current is { Status: SubscriptionStatus.Active })
                Index(current.Id, current.Query, current.Frequency, current.Sites,
                    Hash(current.Query, current.Frequency, current.Sites), _generation, current.CreatedAt);
            else
                Forget(id);
        }
    }

    private void Index(string id, string query, Frequency frequency, IReadOnlyList<string>? sites, ulong hash, int generation,
        DateTimeOffset? createdAt)
    {
        try
        {
            _index.Upsert(id, query);
        }
        catch (QueryParseException ex)
        {
            // Queries are validated on the way in; a row that no longer parses (a grammar change) must not stop matching.
            logger.LogWarning("Subscription {SubscriptionId} has a query that does not parse: {Error}", id, ex.Message);
            Forget(id);
            return;
        }
        _indexed[id] = new Indexed { Hash = hash, Generation = generation };
        if (frequency == Frequency.Instant || sites is { Count: > 0 })
            _details[id] = new IndexedSubscription(id, frequency, sites, createdAt);
        else
            _details.TryRemove(id, out _);
    }

    private void Forget(string id)
    {
        _index.Remove(id);
        _indexed.Remove(id);
        _details.TryRemove(id, out _);
    }

    /// <summary>FNV-1a over what the index and the details depend on: a different hash means re-index.</summary>
    private static ulong Hash(string query, Frequency frequency, IReadOnlyList<string>? sites)
    {
        var hash = 14695981039346656037UL;
        void Add(string text)
        {
            foreach (var c in text)
                hash = (hash ^ c) * 1099511628211UL;
            hash = (hash ^ 0xFFFF) * 1099511628211UL;
        }
        Add(query);
        Add(frequency.ToString());
        foreach (var site in sites ?? [])
            Add(site);
        return hash;
    }
}
