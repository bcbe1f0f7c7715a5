namespace Alerts.Core.Matching;

/// <summary>
/// A query as typed (trimmed) and as its tree: what validation hands on, so that the preview, the article test and
/// the index take the tree instead of parsing the text again. Stored subscriptions keep only the text; code that
/// reads one back parses it there (<see cref="Parse"/>).
/// </summary>
public sealed record ParsedQuery(string Text, Query Tree)
{
    /// <summary>Throws <see cref="QueryParseException"/> for text that is not a query.</summary>
    public static ParsedQuery Parse(string text) => new(text.Trim(), QueryParser.Parse(text));
}
