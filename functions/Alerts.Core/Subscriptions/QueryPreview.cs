using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Subscriptions;

/// <summary>One story a query would have matched, as the preview shows it.</summary>
public sealed record PreviewArticle(string Title, string? Link, string FeedTitle, string Site, DateTimeOffset PublishedAt, string Snippet, int AlsoIn);

/// <summary>What a query would have matched over the stored articles of the last days.</summary>
/// <param name="Count">Stories matched (the same story from several feeds counts once, as in a digest).</param>
/// <param name="Scanned">Articles looked at.</param>
/// <param name="Articles">The newest matched stories, at most <see cref="QueryPreview.MaxShown"/>.</param>
public sealed record PreviewResult(string Query, DateTimeOffset Since, int Count, int Scanned, IReadOnlyList<PreviewArticle> Articles);

/// <summary>
/// Runs a query over the last <see cref="Window"/> of stored articles with the plain evaluator, the reference
/// semantics the compiled index agrees with, so the preview shows what the subscription would really have sent.
/// </summary>
public sealed class QueryPreview(ArticleStore articles, TimeProvider time, ILogger<QueryPreview> logger)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);
    public const int MaxShown = 20;

    /// <summary>Live preview calls this on every pause in typing; the article window is read at most this often.</summary>
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private (DateTimeOffset LoadedAt, DateTimeOffset Since, IReadOnlyList<Article> Articles)? _cache;

    public async Task<PreviewResult> RunAsync(Query query, string queryText, IReadOnlyList<string>? sites, CancellationToken cancellationToken = default)
    {
        var (since, window) = await WindowAsync(cancellationToken);
        var filter = new Subscription("", "", queryText, Frequency.Daily, SubscriptionStatus.Active, since, Sites: sites);
        var items = new List<DigestItem>();
        foreach (var article in window)
        {
            if (!filter.AllowsSite(article.Site))
                continue;
            if (QueryEvaluator.Evaluate(query, new MatchDocument(article.Title, MatchText.Body(article), article.Site)) is { } hits)
                items.Add(new DigestItem(article, hits));
        }
        var groups = DigestGrouping.Group(items);
        var shown = groups
            .OrderByDescending(g => g.Lead.Article.PublishedAt)
            .Take(MaxShown)
            .Select(g => new PreviewArticle(
                g.Lead.Article.Title,
                DigestComposer.SafeLink(g.Lead.Article.Link),
                g.Lead.Article.FeedTitle,
                g.Lead.Article.Site,
                g.Lead.Article.PublishedAt,
                string.Concat(DigestComposer.Snippet(g.Lead).Select(r => r.Text)),
                g.Others.Count))
            .ToList();
        logger.LogInformation("Preview of {QueryLength}-character query: {Count} stories in {Scanned} articles", queryText.Length, groups.Count, window.Count);
        return new PreviewResult(queryText, since, groups.Count, window.Count, shown);
    }

    private async Task<(DateTimeOffset Since, IReadOnlyList<Article> Articles)> WindowAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (_cache is { } fresh && now - fresh.LoadedAt < CacheLifetime)
            return (fresh.Since, fresh.Articles);
        await _loadLock.WaitAsync(cancellationToken);
        try
        {
            if (_cache is { } loaded && now - loaded.LoadedAt < CacheLifetime)
                return (loaded.Since, loaded.Articles);
            var since = now - Window;
            var list = new List<Article>();
            await foreach (var article in articles.ListSeenSinceAsync(since, cancellationToken))
                list.Add(article);
            _cache = (now, since, list);
            return (since, list);
        }
        finally
        {
            _loadLock.Release();
        }
    }
}
