namespace Alerts.Core.Matching;

/// <summary>
/// Interim implementation: evaluates every stored query tree per article (correct, not fast).
/// Replaced by the compiled, term-indexed engine.
/// </summary>
public sealed class SubscriptionIndex : ISubscriptionIndex
{
    private readonly ReaderWriterLockSlim _lock = new();
    private readonly SortedDictionary<string, Query> _queries = new(StringComparer.Ordinal);

    public int Count
    {
        get { _lock.EnterReadLock(); try { return _queries.Count; } finally { _lock.ExitReadLock(); } }
    }

    public void Upsert(string subscriptionId, string query)
    {
        var parsed = QueryParser.Parse(query);
        _lock.EnterWriteLock();
        try { _queries[subscriptionId] = parsed; } finally { _lock.ExitWriteLock(); }
    }

    public bool Remove(string subscriptionId)
    {
        _lock.EnterWriteLock();
        try { return _queries.Remove(subscriptionId); } finally { _lock.ExitWriteLock(); }
    }

    public IReadOnlyList<QueryMatch> Match(MatchDocument document)
    {
        var analyzed = new AnalyzedDocument(document);
        var result = new List<QueryMatch>();
        _lock.EnterReadLock();
        try
        {
            foreach (var (id, query) in _queries)
                if (QueryEvaluator.Evaluate(query, analyzed) is { } hits) result.Add(new QueryMatch(id, hits));
        }
        finally { _lock.ExitReadLock(); }
        return result;
    }
}
