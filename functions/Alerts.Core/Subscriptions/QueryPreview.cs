using Alerts.Core.Digests;
using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Microsoft.Extensions.Logging;

namespace Alerts.Core.Subscriptions;

/// <summary>One story a query would have matched, as the preview shows it.</summary>
/// <param name="Why">Where the query's words are in it ("DACA in the title; sanctuary city in the text").</param>
public sealed record PreviewArticle(string Title, string? Link, string FeedTitle, string Site, DateTimeOffset PublishedAt, string Snippet, int AlsoIn, string? Why = null);

/// <summary>What a query would have matched over the stored articles of the last days.</summary>
/// <param name="Count">Stories matched (the same story from several feeds counts once, as in a digest).</param>
/// <param name="Scanned">Articles looked at.</param>
/// <param name="Articles">The newest matched stories, at most <see cref="QueryPreview.MaxShown"/>.</param>
/// <param name="Complete">False when the work budget ran out: only the newest <paramref name="Scanned"/> articles were looked at.</param>
public sealed record PreviewResult(string Query, DateTimeOffset Since, int Count, int Scanned, IReadOnlyList<PreviewArticle> Articles, bool Complete = true);

/// <summary>
/// Runs a query over the last <see cref="Window"/> of stored articles with a one-query <see cref="SubscriptionIndex"/>,
/// the engine that matches real subscriptions, so the preview shows what the subscription would really have sent.
/// The preview is anonymous, so its cost is bounded: the index's matching is linear in the article's words for
/// every query the parser allows (the plain evaluator is quadratic), the articles are visited newest first until
/// <see cref="WorkBudget"/> characters have been matched, and a client that gives up stops the work.
/// </summary>
/// <param name="workBudget">Characters matched per preview at most; <see cref="WorkBudget"/> unless a test needs a small one.</param>
public sealed class QueryPreview(ArticleStore articles, TimeProvider time, ILogger<QueryPreview> logger, long workBudget = QueryPreview.WorkBudget)
{
    public static readonly TimeSpan Window = TimeSpan.FromDays(7);
    public const int MaxShown = 20;

    /// <summary>Characters of article text one preview matches at most (a few hundred milliseconds of one core).</summary>
    public const long WorkBudget = 16_000_000;

    /// <summary>Live preview calls this on every pause in typing; the article window is read at most this often.</summary>
    private static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(30);

    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private (DateTimeOffset LoadedAt, DateTimeOffset Since, IReadOnlyList<Article> Articles)? _cache;

    /// <summary>The recent articles <paramref name="query"/> (as validation parsed it) matches.</summary>
    public async Task<PreviewResult> RunAsync(ParsedQuery query, IReadOnlyList<string>? sites, CancellationToken cancellationToken = default)
    {
        var (since, window) = await WindowAsync(cancellationToken);
        var index = new SubscriptionIndex();
        index.Upsert("preview", query.Tree);
        var items = new List<DigestItem>();
        long work = 0;
        var scanned = 0;
        var complete = true;
        foreach (var article in window)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var body = MatchedText.Body(article);
            work += article.Title.Length + body.Length;
            if (work > workBudget && scanned > 0)
            {
                complete = false;
                break;
            }
            scanned++;
            if (!SiteFilter.Allows(sites, article.Site))
                continue;
            if (index.Match(new MatchDocument(article.Title, body, article.Site)) is [var match, ..])
                items.Add(new DigestItem(article, match.Hits));
        }
        var groups = DigestGrouping.Group(items);
        var shown = groups
            .OrderByDescending(g => g.Lead.Article.PublishedAt)
            .Take(MaxShown)
            .Select(g => new PreviewArticle(
                g.Lead.Article.Title,
                MatchedText.SafeLink(g.Lead.Article.Link),
                g.Lead.Article.FeedTitle,
                g.Lead.Article.Site,
                g.Lead.Article.PublishedAt,
                string.Concat(MatchedText.Snippet(g.Lead.Article, g.Lead.Hits).Select(r => r.Text)),
                g.Others.Count,
                // From the engine's own hits, linear whatever the (anonymous) query.
                MatchExplanation.FromHits(MatchedText.Document(g.Lead.Article), g.Lead.Hits) is { Reasons.Count: > 0 } why ? why.ToString() : null))
            .ToList();
        logger.LogInformation("Preview of {QueryLength}-character query: {Count} stories in {Scanned} of {Window} articles", query.Text.Length, groups.Count, scanned, window.Count);
        return new PreviewResult(query.Text, since, groups.Count, scanned, shown, complete);
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
            // Newest first, so that a preview cut short by the work budget keeps the stories that matter most.
            list.Sort((a, b) => b.PublishedAt.CompareTo(a.PublishedAt));
            _cache = (now, since, list);
            return (since, list);
        }
        finally
        {
            _loadLock.Release();
        }
    }
}
