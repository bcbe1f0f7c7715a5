namespace Alerts.Core.Matching;

/// <summary>Queue <c>article-match</c>: match this stored article (claim check: the id, not the text).</summary>
public sealed record ArticleMatchMessage(string ArticleId);
