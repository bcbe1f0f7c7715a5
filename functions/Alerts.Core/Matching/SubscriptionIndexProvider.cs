using Alerts.Core.Subscriptions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Matching;

public sealed class MatchingOptions
{
    public const string Section = "Matching";

    /// <summary>How old the in-memory index may get before it is refreshed from storage; new subscriptions wait at most this long.</summary>
    public TimeSpan IndexRefreshInterval { get; set; } = TimeSpan.FromSeconds(30);
}

/// <summary>
/// The compiled index of all active subscriptions, kept per process and refreshed incrementally: each refresh
/// reads the subscriptions table once and only upserts or removes the queries that changed, so matching an
/// article never reads subscription rows.
/// </summary>
public sealed class SubscriptionIndexProvider(
    SubscriptionStore store,
    IOptions<MatchingOptions> options,
    TimeProvider time,
    ILogger<SubscriptionIndexProvider> logger)
{
    private readonly SemaphoreSlim _refreshLock = new(1, 1);
    private readonly SubscriptionIndex _index = new();
    private Dictionary<string, Subscription> _subscriptions = new(StringComparer.Ordinal);
    private DateTimeOffset _loadedAt = DateTimeOffset.MinValue;

    public async Task<(ISubscriptionIndex Index, IReadOnlyDictionary<string, Subscription> Subscriptions)> GetAsync(
        CancellationToken cancellationToken = default)
    {
        if (time.GetUtcNow() - _loadedAt >= options.Value.IndexRefreshInterval)
            await RefreshAsync(force: false, cancellationToken);
        return (_index, _subscriptions);
    }

    /// <summary>Re-reads active subscriptions and applies the differences to the index.</summary>
    public async Task RefreshAsync(bool force = true, CancellationToken cancellationToken = default)
    {
        await _refreshLock.WaitAsync(cancellationToken);
        try
        {
            if (!force && time.GetUtcNow() - _loadedAt < options.Value.IndexRefreshInterval)
                return;
            var started = time.GetTimestamp();
            var fresh = new Dictionary<string, Subscription>(StringComparer.Ordinal);
            await foreach (var s in store.ListAsync(SubscriptionStatus.Active, cancellationToken))
                fresh[s.Id] = s;

            int added = 0, removed = 0;
            foreach (var (id, s) in fresh)
            {
                if (_subscriptions.TryGetValue(id, out var old) && old.Query == s.Query)
                    continue;
                try
                {
                    _index.Upsert(id, s.Query);
                    added++;
                }
                catch (QueryParseException ex)
                {
                    // Queries are validated on the way in; a row that no longer parses (grammar change) must not stop matching.
                    logger.LogWarning("Subscription {SubscriptionId} has a query that does not parse: {Error}", id, ex.Message);
                }
            }
            foreach (var id in _subscriptions.Keys.Where(id => !fresh.ContainsKey(id)))
            {
                _index.Remove(id);
                removed++;
            }
            _subscriptions = fresh;
            _loadedAt = time.GetUtcNow();
            logger.LogInformation(
                "Subscription index refreshed: {Count} active, {Added} added or changed, {Removed} removed in {ElapsedMs} ms",
                fresh.Count, added, removed, time.GetElapsedTime(started).TotalMilliseconds);
        }
        finally
        {
            _refreshLock.Release();
        }
    }
}
