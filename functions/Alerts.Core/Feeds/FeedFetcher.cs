using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Conditional GET of a feed with a time and size limit. FeedReader's own download is not used: it has no
/// conditional GET, hides the status code and sends a browser User-Agent (azure-conventions.md §5).
/// </summary>
public sealed class FeedFetcher(IHttpClientFactory httpClients, HostThrottle throttle, IOptions<FeedFetchOptions> options, TimeProvider time)
{
    public const string HttpClientName = "feeds";

    private const int ChunkSize = 81920;

    /// <summary>Conditional GET with the feed's stored validators.</summary>
    public Task<FeedFetchResult> FetchAsync(Feed feed, CancellationToken cancellationToken) =>
        FetchAsync(feed.Url, feed.ETag, feed.LastModified, cancellationToken);

    /// <summary>
    /// GET <paramref name="url"/>, following at most <see cref="FeedFetchOptions.MaxRedirects"/> redirects by hand so
    /// that we know whether each was permanent, each hop through the per-host throttle and the SSRF guard.
    /// </summary>
    public Task<FeedFetchResult> FetchAsync(string url, string? etag, DateTimeOffset? lastModified, CancellationToken cancellationToken) =>
        FetchAsync(url, etag, lastModified, FeedAccept, options.Value.MaxResponseBytes, cancellationToken);

    /// <summary>
    /// GET of an article's web page for its full text: the same guard, per-host throttle, redirects and timeout as a
    /// feed, capped at <see cref="FeedFetchOptions.MaxPageBytes"/>.
    /// </summary>
    public Task<FeedFetchResult> FetchPageAsync(string url, CancellationToken cancellationToken) =>
        FetchAsync(url, null, null, PageAccept, options.Value.MaxPageBytes, cancellationToken);

    private const string FeedAccept = "application/rss+xml, application/atom+xml, application/feed+json, application/xml;q=0.9, text/xml;q=0.9, */*;q=0.5";
    private const string PageAccept = "text/html, application/xhtml+xml;q=0.9, */*;q=0.5";

    private async Task<FeedFetchResult> FetchAsync(
        string url, string? etag, DateTimeOffset? lastModified, string accept, long maxBytes, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        // Request time: connect, headers and body of each hop, never the waits for a per-host slot before a hop.
        // Reported as the fetch's elapsed time on the time provider; the budget below counts the same hops in real time,
        // like the deadline it refills (the publisher's server does not run on a test's clock).
        var reported = TimeSpan.Zero;
        var spent = TimeSpan.Zero;
        long? hopReported = null;
        long hopStarted = 0;
        TimeSpan Elapsed() => reported + (hopReported is { } s ? time.GetElapsedTime(s) : TimeSpan.Zero);

        // One deadline for the feed's requests, headers and bodies: a server that trickles the body must not hold a
        // worker forever. It runs only while a request of this feed is under way, not while it queues for a per-host
        // slot: otherwise two hanging feeds holding a host's slots would use up the timeout of every healthy feed queued
        // behind them, and a feed redirecting to a busy host would time out although each request was quick.
        // The wait for a slot is bounded on its own: on the first hop each holder gives its slot back within its own
        // timeout (and SharedHostSlots gives up after a timeout); on a redirect hop see AcquireRedirectSlotAsync.
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        IAsyncDisposable? lease = null;
        HttpResponseMessage? response = null;
        try
        {
            var http = httpClients.CreateClient(HttpClientName);
            var current = new Uri(url);
            var permanent = true;
            for (var hop = 0; ; hop++)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, current);
                request.Headers.UserAgent.ParseAdd(settings.UserAgent);
                request.Headers.Accept.ParseAdd(accept);
                if (etag is { Length: > 0 } && EntityTagHeaderValue.TryParse(etag, out var parsedETag))
                    request.Headers.IfNoneMatch.Add(parsedETag);
                if (lastModified is { } since)
                    request.Headers.IfModifiedSince = since;

                if (lease is null)
                    lease = await throttle.AcquireAsync(current.IdnHost, cancellationToken);
                else
                {
                    // Between hops the deadline stops, and the redirect's connection and the previous host's slot go
                    // back before we queue for the next one (never holding one slot while waiting for another).
                    deadline.CancelAfter(Timeout.InfiniteTimeSpan);
                    spent += Stopwatch.GetElapsedTime(hopStarted);
                    reported += time.GetElapsedTime(hopReported!.Value);
                    hopReported = null;
                    response?.Dispose();
                    response = null;
                    var previous = lease;
                    lease = null;
                    await previous.DisposeAsync();
                    lease = await AcquireRedirectSlotAsync(current.IdnHost, settings.Timeout, cancellationToken);
                }
                hopStarted = Stopwatch.GetTimestamp();
                hopReported = time.GetTimestamp();
                var left = settings.Timeout - spent;
                deadline.CancelAfter(left > TimeSpan.Zero ? left : TimeSpan.Zero);
                response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token);
                var code = (int)response.StatusCode;
                if (code is 301 or 302 or 303 or 307 or 308 && response.Headers.Location is { } location)
                {
                    if (hop >= settings.MaxRedirects)
                        return new FeedFetchResult.Failed(FeedErrorKind.Http, code, $"More than {settings.MaxRedirects} redirects.", Elapsed());
                    var next = new Uri(current, location);
                    if (next.Scheme != Uri.UriSchemeHttp && next.Scheme != Uri.UriSchemeHttps)
                        return new FeedFetchResult.Failed(FeedErrorKind.Http, code, $"Redirect to a non-HTTP URL: {next.Scheme}.", Elapsed());
                    permanent &= code is 301 or 308;
                    current = next;
                    continue;
                }
                break;
            }

            var status = (int)response.StatusCode;
            var movedTo = permanent && current.ToString() != new Uri(url).ToString() ? Feed.NormaliseUrl(current.ToString()) : null;
            var responseETag = response.Headers.ETag?.ToString();
            var responseLastModified = response.Content.Headers.LastModified;
            var lifetime = CacheLifetime(response);

            if (response.StatusCode == HttpStatusCode.NotModified)
                return new FeedFetchResult.NotModified(responseETag ?? etag, responseLastModified ?? lastModified, Elapsed())
                {
                    MovedTo = movedTo,
                    CacheLifetime = lifetime,
                };

            if (!response.IsSuccessStatusCode)
                return new FeedFetchResult.Failed(
                    FeedErrorKind.Http, status, $"HTTP {status} {response.ReasonPhrase}".TrimEnd(), Elapsed(), RetryAfter(response));

            if (response.Content.Headers.ContentLength > maxBytes)
                return TooLarge(status, maxBytes, Elapsed());

            var body = await ReadLimitedAsync(response.Content, maxBytes, deadline.Token);
            if (body is null)
                return TooLarge(status, maxBytes, Elapsed());

            return new FeedFetchResult.Fetched(
                body, status, responseETag, responseLastModified, response.Content.Headers.ContentType?.ToString(), Elapsed(), current.ToString())
            {
                MovedTo = movedTo,
                CacheLifetime = lifetime,
            };
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new FeedFetchResult.Failed(
                FeedErrorKind.Timeout, null, $"No complete response within {settings.Timeout.TotalSeconds:0.#} s.", Elapsed());
        }
        catch (HttpRequestException ex) when (ex.InnerException is FeedAddressRefusedException refused)
        {
            return new FeedFetchResult.Failed(FeedErrorKind.Refused, null, refused.Message, Elapsed());
        }
        // InvalidDataException: a corrupt gzip/brotli body, which surfaces while reading the decompressed stream.
        catch (Exception ex) when (ex is HttpRequestException or IOException or InvalidDataException)
        {
            var status = ex is HttpRequestException { StatusCode: { } code } ? (int?)code : null;
            return new FeedFetchResult.Failed(FeedErrorKind.Network, status, ex.Message, Elapsed());
        }
        finally
        {
            response?.Dispose();
            if (lease is not null)
                await lease.DisposeAsync();
        }
    }

    /// <summary>
    /// The slot for a redirect hop. Its wait is bounded by the timeout, as a first hop's wait for a shared slot is in
    /// <see cref="SharedHostSlots"/>, and ends the same way, in <see cref="HostBusyException"/>: the feed is queued
    /// again with a visibility delay and nothing is recorded against it. Without the bound a hop could queue for ever
    /// behind the redirected feeds of every other host (a popular target receives them from many hosts' messages).
    /// </summary>
    private async Task<IAsyncDisposable> AcquireRedirectSlotAsync(string host, TimeSpan timeout, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        wait.CancelAfter(timeout);
        try
        {
            return await throttle.AcquireAsync(host, wait.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new HostBusyException(host, SharedHostSlots.RetryDelay(timeout));
        }
    }

    private TimeSpan? CacheLifetime(HttpResponseMessage response)
    {
        var cache = response.Headers.CacheControl;
        if (cache is { NoStore: true } or { NoCache: true })
            return null;
        if ((cache?.SharedMaxAge ?? cache?.MaxAge) is { } maxAge && maxAge > TimeSpan.Zero)
            return maxAge;
        if (response.Content.Headers.Expires is { } expires)
        {
            var lifetime = expires - (response.Headers.Date ?? time.GetUtcNow());
            return lifetime > TimeSpan.Zero ? lifetime : null;
        }
        return null;
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
