using Alerts.Core.Feeds;

namespace Alerts.Core.Digests;

/// <summary>
/// The Body text the matcher searches. Body hit offsets point into exactly this string, so the matcher and the
/// digest snippets must both build it here.
/// </summary>
public static class MatchText
{
    public static string Body(Article article) => article.Summary + "\n" + article.Content;
}
