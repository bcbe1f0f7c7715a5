using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Subscriptions;

/// <summary>The answer to "would this article match my query?", or why the article could not be read.</summary>
/// <param name="Matches">Null when there was no article to test (see <paramref name="Problem"/>).</param>
/// <param name="Reasons">What matched where, or why it does not match, in the subscriber's words.</param>
/// <param name="ArticleTitle">The title the article was tested with ("" when it had none).</param>
/// <param name="Problem">Why nothing was tested: no input, an address that could not be read, too much text.</param>
public sealed record ArticleExplanation(bool? Matches, IReadOnlyList<string> Reasons, string ArticleTitle = "", string? Problem = null)
{
    public static ArticleExplanation Failed(string problem) => new(null, [], "", problem);
}

/// <summary>
/// Tests one article, given by address or pasted, against a query with <see cref="MatchExplanation.Explain"/>: the
/// plain evaluator, the reference the compiled index agrees with, so the answer is what the alert would do. An
/// address is fetched by <see cref="FeedFetcher.FetchPageAsync"/>, the path full-text fetches take, so the page
/// cannot be used to reach the service's own network (loopback, private, link-local and metadata addresses are
/// refused at connect time, after every redirect), and it is size-, time- and per-host-limited like any page.
/// </summary>
public sealed class ArticleExplainer(FeedFetcher fetcher, IOptions<FeedFetchOptions> options, ILogger<ArticleExplainer> logger)
{
    /// <summary>Pasted text beyond this many characters is refused: an article is far shorter.</summary>
    public const int MaxTextLength = 100_000;

    public const int MaxUrlLength = 2_000;

    // Readability scores every element; a page past this many is not an article page worth the CPU.
    private const int MaxElements = 100_000;

    /// <summary>
    /// <paramref name="query"/> is the tree validation parsed (or a stored alert's query read back). Pasted text is tested as typed: with more than
    /// one line, its first line is the title. An address wins over pasted text when both are given.
    /// </summary>
    public async Task<ArticleExplanation> ExplainAsync(
        ParsedQuery query, IReadOnlyList<string>? sites, string? url, string? text, CancellationToken cancellationToken = default)
    {
        MatchDocument document;
        if (!string.IsNullOrWhiteSpace(url))
        {
            var (page, problem) = await ReadPageAsync(url.Trim(), cancellationToken);
            if (page is null)
                return ArticleExplanation.Failed(problem!);
            document = page;
        }
        else if (!string.IsNullOrWhiteSpace(text))
        {
            if (text.Length > MaxTextLength)
                return ArticleExplanation.Failed($"The pasted text is {text.Length:N0} characters long; paste at most {MaxTextLength:N0}.");
            document = FromPastedText(text);
        }
        else
            return ArticleExplanation.Failed("Give an article's address, or paste its text, to test it against the query.");

        if (!SiteFilter.Allows(sites, document.Site))
            return new ArticleExplanation(false,
                [document.Site.Length == 0
                    ? $"pasted text has no site, and this alert only takes articles from {string.Join(", ", sites!)}"
                    : $"{TextAnalyzer.SiteHost(document.Site).Host} is not one of this alert's sites ({string.Join(", ", sites!)})"],
                document.Title);
        var explanation = MatchExplanation.Explain(query.Tree, document);
        return new ArticleExplanation(explanation.Matches, explanation.Reasons, document.Title);
    }

    internal static MatchDocument FromPastedText(string text)
    {
        var lines = text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n');
        var first = Array.FindIndex(lines, l => !string.IsNullOrWhiteSpace(l));
        var rest = first < 0 ? [] : lines[(first + 1)..];
        return rest.Any(l => !string.IsNullOrWhiteSpace(l))
            ? new MatchDocument(lines[first].Trim(), string.Join('\n', rest).Trim(), "")
            : new MatchDocument("", text.Trim(), "");
    }

    /// <summary>The page as a document, or why it could not be read.</summary>
    private async Task<(MatchDocument? Page, string? Problem)> ReadPageAsync(string url, CancellationToken cancellationToken)
    {
        if (url.Length > MaxUrlLength || !Uri.TryCreate(url, UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return (null, "That is not a web address: give one that starts with https:// or http://.");
        var result = await fetcher.FetchPageAsync(uri.AbsoluteUri, cancellationToken);
        if (result is not FeedFetchResult.Fetched page)
        {
            var failed = result as FeedFetchResult.Failed;
            logger.LogInformation("Explain: page {Host} not read: {Kind} {Status}", uri.Host, failed?.Kind, failed?.Status);
            return (null, failed?.Kind switch
            {
                FeedErrorKind.Refused => "That address is not on the public internet, so we do not fetch it. Paste the article's text instead.",
                FeedErrorKind.Http => $"The site answered {failed.Status} for that address. Check the link, or paste the article's text instead.",
                FeedErrorKind.Timeout => "The site took too long to answer. Try again, or paste the article's text instead.",
                FeedErrorKind.TooLarge => "That page is too large to read. Paste the article's text instead.",
                _ => "That page could not be reached. Check the link, or paste the article's text instead.",
            });
        }
        try
        {
            var article = await CpuBudget.RunAsync(_ => Extract(page.Url ?? uri.AbsoluteUri, page.Body), options.Value.ParseTimeBudget, cancellationToken);
            return article is null
                ? (null, "No article was found on that page. Paste the article's text instead.")
                : (article with { Site = new Uri(page.Url ?? uri.AbsoluteUri).Host }, null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return (null, "That page took too long to read. Paste the article's text instead.");
        }
    }

    private static MatchDocument? Extract(string url, byte[] html)
    {
        try
        {
            // From the bytes, so the page's own meta charset is honoured.
            var reader = new SmartReader.Reader(url, new MemoryStream(html, writable: false)) { MaxElemsToParse = MaxElements };
            var article = reader.GetArticle();
            return article.IsReadable && !string.IsNullOrWhiteSpace(article.TextContent)
                ? new MatchDocument(article.Title?.Trim() ?? "", article.TextContent.Trim(), "")
                : null;
        }
        // Whatever an odd page makes the library throw means "no article".
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return null;
        }
    }
}
