using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Full text for summary-only feeds: fetches a new item's own page through the feed fetcher (SSRF guard, per-host
/// throttle, redirects, timeout, <see cref="FeedFetchOptions.MaxPageBytes"/>) and extracts the article body with
/// SmartReader (a port of Mozilla's Readability) under <see cref="FeedFetchOptions.ParseTimeBudget"/>.
/// </summary>
public sealed class ArticleFullText(FeedFetcher fetcher, IOptions<FeedFetchOptions> options, ILogger<ArticleFullText> logger)
{
    /// <summary><see cref="FullTextMode.Auto"/> fetches the page of an item carrying fewer words than this.</summary>
    public const int AutoWordThreshold = 50;

    // Readability scores every element; a page past this many is not an article page worth the CPU.
    private const int MaxElements = 100_000;

    private long _pagesFetched;
    private long _pageBytes;

    /// <summary>Page requests made (for the cost benchmark and tests).</summary>
    public long PagesFetched => Interlocked.Read(ref _pagesFetched);

    /// <summary>Bytes of page bodies read.</summary>
    public long PageBytes => Interlocked.Read(ref _pageBytes);

    /// <summary>Whether <paramref name="item"/>'s page should be fetched under <paramref name="mode"/>.</summary>
    public static bool Wanted(FullTextMode mode, ParsedItem item) =>
        item.Link is { } link && Uri.TryCreate(link, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps)
        && mode switch
        {
            FullTextMode.On => true,
            FullTextMode.Auto => Words(item.Summary) + Words(item.Content) < AutoWordThreshold,
            _ => false,
        };

    /// <summary>The page's article text as plain text, or null when it could not be fetched or read (logged, never thrown).</summary>
    public async Task<string?> FetchAsync(Feed feed, string link, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _pagesFetched);
        var result = await fetcher.FetchPageAsync(link, cancellationToken);
        if (result is not FeedFetchResult.Fetched page)
        {
            logger.LogInformation("Feed {FeedId}: full text of {Link} not fetched: {Result}", feed.Id, link,
                result is FeedFetchResult.Failed failed ? $"{failed.Kind} {failed.Message}" : "304");
            return null;
        }
        Interlocked.Add(ref _pageBytes, page.Body.Length);
        try
        {
            var text = await CpuBudget.RunAsync(_ => Extract(page.Url ?? link, page.Body), options.Value.ParseTimeBudget, cancellationToken);
            if (text is null)
                logger.LogInformation("Feed {FeedId}: no article found on {Link}", feed.Id, link);
            return text;
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            logger.LogWarning("Feed {FeedId}: extracting the article from {Link} ({Bytes} bytes) ran past the {Budget} s budget",
                feed.Id, link, page.Body.Length, options.Value.ParseTimeBudget.TotalSeconds);
            return null;
        }
    }

    private static string? Extract(string url, byte[] html)
    {
        try
        {
            // From the bytes, so the page's own meta charset is honoured.
            var reader = new SmartReader.Reader(url, new MemoryStream(html, writable: false)) { MaxElemsToParse = MaxElements };
            var article = reader.GetArticle();
            return article.IsReadable && CollapseWhitespace(article.TextContent) is { Length: > 0 } text ? text : null;
        }
        // Whatever an odd page makes the library throw means "no article", never a failed fetch.
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }

    private static string CollapseWhitespace(string? text)
    {
        if (string.IsNullOrEmpty(text))
            return "";
        var result = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = result.Length > 0;
                continue;
            }
            if (space)
                result.Append(' ');
            space = false;
            result.Append(c);
        }
        return result.ToString();
    }

    private static int Words(string text)
    {
        var words = 0;
        var inWord = false;
        foreach (var c in text)
        {
            var letter = char.IsLetterOrDigit(c);
            if (letter && !inWord)
                words++;
            inWord = letter;
        }
        return words;
    }
}
