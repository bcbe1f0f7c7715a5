using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Conditional GET of a feed with a time and size limit. FeedReader's own download is not used: it has no
/// conditional GET, hides the status code and sends a browser User-Agent (azure-conventions.md §5).
/// </summary>
public sealed class FeedFetcher(IHttpClientFactory httpClients, IOptions<FeedFetchOptions> options, TimeProvider time)
{
    public const string HttpClientName = "feeds";

    private const int ChunkSize = 81920;

    public async Task<FeedFetchResult> FetchAsync(Feed feed, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var started = time.GetTimestamp();
        TimeSpan Elapsed() => time.GetElapsedTime(started);

        using var request = new HttpRequestMessage(HttpMethod.Get, feed.Url);
        request.Headers.UserAgent.ParseAdd(settings.UserAgent);
        request.Headers.Accept.ParseAdd("application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5");
        if (feed.ETag is { Length: > 0 } etag && EntityTagHeaderValue.TryParse(etag, out var parsedETag))
            request.Headers.IfNoneMatch.Add(parsedETag);
        if (feed.LastModified is { } lastModified)
            request.Headers.IfModifiedSince = lastModified;

        // One deadline for headers and body: a server that trickles the body must not hold a worker forever.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(settings.Timeout);
        try
        {
            var http = httpClients.CreateClient(HttpClientName);
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
            var status = (int)response.StatusCode;
            var responseETag = response.Headers.ETag?.ToString();
            var responseLastModified = response.Content.Headers.LastModified;

            if (response.StatusCode == HttpStatusCode.NotModified)
                return new FeedFetchResult.NotModified(responseETag ?? feed.ETag, responseLastModified ?? feed.LastModified, Elapsed());

            if (!response.IsSuccessStatusCode)
                return new FeedFetchResult.Failed(
                    FeedErrorKind.Http, status, $"HTTP {status} {response.ReasonPhrase}".TrimEnd(), Elapsed(), RetryAfter(response));

            if (response.Content.Headers.ContentLength > settings.MaxResponseBytes)
                return TooLarge(status, settings.MaxResponseBytes, Elapsed());

            var body = await ReadLimitedAsync(response.Content, settings.MaxResponseBytes, deadline.Token);
            if (body is null)
                return TooLarge(status, settings.MaxResponseBytes, Elapsed());

            return new FeedFetchResult.Fetched(
                body, status, responseETag, responseLastModified, response.Content.Headers.ContentType?.ToString(), Elapsed());
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FeedFetchResult.Failed(
                FeedErrorKind.Timeout, null, $"No complete response within {settings.Timeout.TotalSeconds:0.#} s.", Elapsed());
        }
        // InvalidDataException: a corrupt gzip/brotli body, which surfaces while reading the decompressed stream.
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            var status = ex is HttpRequestException { StatusCode: { } code } ? (int?)code : null;
            return new FeedFetchResult.Failed(FeedErrorKind.Network, status, ex.Message, Elapsed());
        }
    }

    private static FeedFetchResult.Failed TooLarge(int status, long limit, TimeSpan elapsed) =>
        new(FeedErrorKind.TooLarge, status, $"Response body is larger than {limit} bytes.", elapsed);

    /// <summary>The body, or null once it passes <paramref name="limit"/> (Content-Length may be absent or lie).</summary>
    private static async Task<byte[]?> ReadLimitedAsync(HttpContent content, long limit, CancellationToken cancellationToken)
    {
        await using var stream = await content.ReadAsStreamAsync(cancellationToken);
        using var buffer = new MemoryStream();
        var chunk = new byte[ChunkSize];
        int read;
        while ((read = await stream.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > limit)
                return null;
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    private TimeSpan? RetryAfter(HttpResponseMessage response) => response.Headers.RetryAfter switch
    {
        { Delta: { } delta } => delta,
        { Date: { } date } => date - time.GetUtcNow() is var wait && wait > TimeSpan.Zero ? wait : null,
        _ => null,
    };
}
