namespace Alerts.Core.Matching;

/// <summary>The text of one article as the matcher sees it. Offsets in <see cref="Hit"/> refer to these strings.</summary>
/// <param name="Title">The article's title.</param>
/// <param name="Body">Summary and content as plain text (the default field is title plus body).</param>
/// <param name="Site">The feed's site or domain, for <c>site:</c>.</param>
public sealed record MatchDocument(string Title, string Body, string Site);

public enum DocumentField { Title, Body, Site }

/// <summary>Where a query term matched: a character range in one field of the original (not folded) text.</summary>
public readonly record struct Hit(DocumentField Field, int Start, int Length);

/// <summary>One subscription whose query matched, with the places that made it match. A struct: an article can
/// match thousands of subscriptions, and the results are one array rather than an object each.</summary>
public readonly record struct QueryMatch(string SubscriptionId, IReadOnlyList<Hit> Hits);

/// <summary>
/// All active subscriptions' queries, compiled so that one article is matched against all of them at once.
/// Implementations are safe for concurrent <see cref="Match"/> calls and give deterministic results
/// (ordered by subscription id).
/// </summary>
public interface ISubscriptionIndex
{
    int Count { get; }

    /// <summary>Adds or replaces a subscription's query. Throws <see cref="QueryParseException"/> for a bad query.</summary>
    void Upsert(string subscriptionId, string query);

    bool Remove(string subscriptionId);

    IReadOnlyList<QueryMatch> Match(MatchDocument document);
}

/// <summary>A query that does not parse: where and what was expected.</summary>
public sealed class QueryParseException(string message, int position) : Exception(message)
{
    /// <summary>Zero-based character position in the query text.</summary>
    public int Position { get; } = position;
}
