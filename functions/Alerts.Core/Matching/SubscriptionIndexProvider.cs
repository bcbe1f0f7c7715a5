using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Matching;

public sealed class MatchingOptions
{
    public const string Section = "Matching";

    /// <summary>How often an instance applies recent subscription changes; a new subscription waits at most this long.</summary>
    public TimeSpan IndexRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often an instance re-reads every active subscription and writes a fresh snapshot for cold starts.</summary>
    public TimeSpan SnapshotInterval { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>
/// The compiled index of all active subscriptions, per process. A cold instance loads the latest snapshot blob and
/// then the change log since it; a warm one applies only the change log's last minutes, so matching an article
/// never reads subscription rows, and a change takes effect within <see cref="MatchingOptions.IndexRefreshInterval"/>.
/// Every <see cref="MatchingOptions.SnapshotInterval"/> a full read reconciles the index and writes a new snapshot.
/// </summary>
public sealed class SubscriptionIndexProvider(
    SubscriptionStore store,
    SubscriptionChangeLog changes,
    SubscriptionSnapshotStore snapshots,
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

    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly SubscriptionIndex _index = new();
    private Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private DateTimeOffset? _changesReadAt;
    private DateTimeOffset _refreshedAt = DateTimeOffset.MinValue;
    private DateTimeOffset _reconciledAt = DateTimeOffset.MinValue;

    public async Task<(ISubscriptionIndex Index, IReadOnlyDictionary<string, Subscription> Subscriptions)> GetAsync(
        CancellationToken cancellationToken = default)
    {
        if (time.GetUtcNow() - _refreshedAt >= options.Value.IndexRefreshInterval)
            await RefreshAsync(force: false, cancellationToken);
        return (_index, _subscriptions);
    }

    /// <summary>Brings the index up to date: cold load, recent changes, or a full reconcile when one is due.</summary>
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
            else if (now - _reconciledAt >= options.Value.SnapshotInterval)
                await ReconcileAsync(cancellationToken);
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
        var snapshot = await snapshots.LoadAsync(cancellationToken);
        if (snapshot is null || WallClock - snapshot.Version > options.Value.SnapshotInterval * 4)
        {
            await ReconcileAsync(cancellationToken);
            return;
        }
        var next = new Dictionary<string, Subscription>(StringComparer.Ordinal);
        foreach (var s in snapshot.Subscriptions)
            if (Apply(s))
                next[s.Id] = s;
        _subscriptions = next;
        _changesReadAt = snapshot.Version;
        _reconciledAt = time.GetUtcNow() - (WallClock - snapshot.Version);
        logger.LogInformation("Subscription index loaded from the snapshot of {Version}: {Count} subscriptions in {ElapsedMs} ms",
            snapshot.Version, next.Count, time.GetElapsedTime(started).TotalMilliseconds);
        await ApplyChangesAsync(cancellationToken);
    }

    private async Task ApplyChangesAsync(CancellationToken cancellationToken)
    {
        var readAt = WallClock;
        var changed = await changes.ChangedSinceAsync(_changesReadAt!.Value - Overlap, cancellationToken);
        if (changed.Count == 0)
        {
            _changesReadAt = readAt;
            return;
        }
        var next = new Dictionary<string, Subscription>(_subscriptions, StringComparer.Ordinal);
        foreach (var id in changed)
        {
            var current = await store.GetAsync(id, cancellationToken);
            if (current is { Status: SubscriptionStatus.Active } && Apply(current))
                next[id] = current;
            else if (next.Remove(id))
                _index.Remove(id);
        }
        _subscriptions = next;
        _changesReadAt = readAt;
        logger.LogDebug("Applied {Count} subscription changes to the index", changed.Count);
    }

    /// <summary>Reads every active subscription, applies the differences, and writes a snapshot for cold starts.</summary>
    private async Task ReconcileAsync(CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var version = WallClock;
        var fresh = new Dictionary<string, Subscription>(StringComparer.Ordinal);
        await foreach (var s in store.ListAsync(SubscriptionStatus.Active, cancellationToken))
        {
            var unchanged = _subscriptions.TryGetValue(s.Id, out var old) && old.Query == s.Query;
            if (unchanged || Apply(s))
                fresh[s.Id] = s;
        }
        foreach (var id in _subscriptions.Keys.Where(id => !fresh.ContainsKey(id)))
            _index.Remove(id);
        _subscriptions = fresh;
        _changesReadAt = version;
        _reconciledAt = time.GetUtcNow();
        await snapshots.SaveAsync(new SubscriptionSnapshot(version, [.. fresh.Values]), cancellationToken);
        logger.LogInformation("Subscription index reconciled with the table: {Count} active in {ElapsedMs} ms; snapshot written",
            fresh.Count, time.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>Adds or replaces the query in the index; false when it no longer parses.</summary>
    private bool Apply(Subscription subscription)
    {
        try
        {
            _index.Upsert(subscription.Id, subscription.Query);
            return true;
        }
        catch (QueryParseException ex)
        {
            // Queries are validated on the way in; a row that no longer parses (a grammar change) must not stop matching.
            logger.LogWarning("Subscription {SubscriptionId} has a query that does not parse: {Error}", subscription.Id, ex.Message);
            _index.Remove(subscription.Id);
            return false;
        }
    }
}
