using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;

namespace Alerts.Core.Tests.Infrastructure;

/// <summary>
/// A real HTTP server on a loopback port that serves scripted feeds and faults.
/// <list type="bullet">
/// <item><see cref="SetFeed(string, RssBuilder)"/> serves an RSS document like a well-behaved server: ETag and
/// Last-Modified, 304 for a matching If-None-Match / If-Modified-Since.</item>
/// <item><see cref="Respond(string, int, string, TimeSpan?, string)"/> and <see cref="Respond(string, ScriptedResponse)"/>
/// serve anything else: a status, a body, a delay (or a hang), headers, with or without Content-Length.</item>
/// </list>
/// Every request is counted and recorded per path. Unknown paths get 404.
/// </summary>
public sealed class TestFeedServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Route> _routes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ConcurrentQueue<RecordedRequest>> _requests = new(StringComparer.Ordinal);

    private int _inFlight;
    private int _maxInFlight;

    private TestFeedServer(WebApplication app) => _app = app;

    public Uri BaseUri { get; private set; } = null!;

    public static async Task<TestFeedServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new TestFeedServer(app);
        app.Run(server.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUri = new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return server;
    }

    public string Url(string path) => new Uri(BaseUri, path).ToString();

    /// <summary>Serves <paramref name="feed"/> at <paramref name="path"/>; later changes to the builder are served too.</summary>
    public RssBuilder SetFeed(string path, RssBuilder feed, DateTimeOffset? lastModified = null)
    {
        _routes[path] = new FeedRoute(feed) { LastModified = Truncate(lastModified ?? DateTimeOffset.UtcNow) };
        return feed;
    }

    /// <summary>Serves a new empty feed at <paramref name="path"/> and returns its builder.</summary>
    public RssBuilder SetFeed(string path, string title = "Test feed") => SetFeed(path, new RssBuilder(title));

    /// <summary>Adds an item to the feed at <paramref name="path"/> and bumps its Last-Modified.</summary>
    public RssItem AddItem(string path, string title, string link, string description, DateTimeOffset? published = null, string? guid = null)
    {
        var route = FeedAt(path);
        lock (route)
        {
            route.Feed.AddItem(title, link, description, published, guid);
            route.LastModified = Next(route.LastModified);
            return route.Feed.Items[0];
        }
    }

    /// <summary>
    /// A new Last-Modified (and so a new ETag) without changing the content, like a server that regenerates the
    /// file on every publish.
    /// </summary>
    public void Touch(string path)
    {
        var route = FeedAt(path);
        lock (route)
        {
            route.LastModified = Next(route.LastModified);
            route.Generation++;
        }
    }

    /// <summary>Answers full responses for this feed only after <paramref name="delay"/> (a slow server).</summary>
    public void SetDelay(string path, TimeSpan delay) => FeedAt(path).Delay = delay;

    /// <summary>Turns off the validators a feed route sends (to imitate servers that send none).</summary>
    public void SetValidators(string path, bool etag, bool lastModified)
    {
        var route = FeedAt(path);
        route.SendETag = etag;
        route.SendLastModified = lastModified;
    }

    public void Respond(string path, int status, string body = "", TimeSpan? delay = null, string contentType = "text/html; charset=utf-8") =>
        Respond(path, new ScriptedResponse(status, Encoding.UTF8.GetBytes(body), contentType, delay));

    public void Respond(string path, ScriptedResponse response) => _routes[path] = new FixedRoute(response);

    /// <summary>Waits this long before answering (or until the client gives up).</summary>
    public void Hang(string path, TimeSpan delay) => Respond(path, 200, new RssBuilder().Build(), delay, "application/rss+xml");

    /// <summary>Extra response headers for a feed route (Cache-Control, Expires…).</summary>
    public void SetHeaders(string path, IReadOnlyDictionary<string, string> headers) => FeedAt(path).Headers = headers;

    /// <summary>Serves the feed at <paramref name="path"/> with this content type (e.g. "text/xml; charset=iso-8859-1").</summary>
    public void SetContentType(string path, string contentType) => FeedAt(path).ContentType = contentType;

    /// <summary>A redirect with the given status to <paramref name="location"/>.</summary>
    public void Redirect(string path, int status, string location) =>
        Respond(path, new ScriptedResponse(status, [], Headers: new Dictionary<string, string> { ["Location"] = location }));

    /// <summary>Most requests the server had in flight at once, over all paths, since start or the last reset.</summary>
    public int MaxConcurrency => Volatile.Read(ref _maxInFlight);

    public void ResetConcurrency() => Volatile.Write(ref _maxInFlight, 0);

    /// <summary>Every request to any path, in arrival order.</summary>
    public IReadOnlyList<RecordedRequest> AllRequests => _requests.Values.SelectMany(q => q).OrderBy(r => r.ArrivedAt).ToList();

    public int RequestCount(string path) => Requests(path).Count;

    /// <summary>Requests that carried If-None-Match or If-Modified-Since.</summary>
    public int ConditionalRequestCount(string path) => Requests(path).Count(r => r.IfNoneMatch is not null || r.IfModifiedSince is not null);

    /// <summary>Requests answered 304.</summary>
    public int NotModifiedCount(string path) => Requests(path).Count(r => r.Status == 304);

    public IReadOnlyList<RecordedRequest> Requests(string path) =>
        _requests.TryGetValue(path, out var list) ? list.ToArray() : [];

    private FeedRoute FeedAt(string path) =>
        _routes.TryGetValue(path, out var route) && route is FeedRoute feed
            ? feed
            : throw new InvalidOperationException($"No feed at {path}: call SetFeed first.");

    private async Task HandleAsync(HttpContext context)
    {
        var request = context.Request;
        var path = request.Path.Value ?? "/";
        // Recorded on arrival, so a request the client abandons (timeout) is counted as soon as it is made.
        var recorded = new RecordedRequest(
            path,
            request.Headers.UserAgent.ToString(),
            request.Headers.IfNoneMatch is { Count: > 0 } inm ? inm.ToString() : null,
            request.Headers.IfModifiedSince is { Count: > 0 } ims ? ims.ToString() : null);
        _requests.GetOrAdd(path, _ => new()).Enqueue(recorded);
        var inFlight = Interlocked.Increment(ref _inFlight);
        int seen;
        while (inFlight > (seen = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, inFlight, seen) != seen)
        {
        }
        try
        {
            recorded.Status = await ServeAsync(context, path);
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
            recorded.FinishedAt = DateTime.UtcNow;
        }
    }

    private async Task<int> ServeAsync(HttpContext context, string path)
    {
        var response = context.Response;
        if (!_routes.TryGetValue(path, out var route))
        {
            response.StatusCode = 404;
            await response.WriteAsync("<html><body>Not found</body></html>");
            return 404;
        }

        if (route is FixedRoute { Response: var scripted })
        {
            if (scripted.Delay is { } delay)
            {
                try { await Task.Delay(delay, context.RequestAborted); }
                catch (OperationCanceledException) { return 0; }
            }
            response.StatusCode = scripted.Status;
            response.ContentType = scripted.ContentType;
            foreach (var (name, value) in scripted.Headers ?? new Dictionary<string, string>())
                response.Headers[name] = value;
            if (scripted.SendContentLength)
                response.ContentLength = scripted.Body.Length;
            try
            {
                // Written in pieces, so without Content-Length the body goes out chunked like a streaming server.
                foreach (var piece in scripted.Body.Chunk(16 * 1024))
                    await response.Body.WriteAsync(piece, context.RequestAborted);
            }
            catch (Exception ex) when (ex is OperationCanceledException or IOException)
            {
                // The client stopped reading (for example at its size limit).
            }
            return scripted.Status;
        }

        var feedRoute = (FeedRoute)route;
        byte[] body;
        DateTimeOffset lastModified;
        string etag;
        lock (feedRoute)
        {
            body = feedRoute.Feed.BuildBytes();
            lastModified = feedRoute.LastModified;
            etag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body))[..16] + "-" + feedRoute.Generation + "\"";
        }

        var headers = response.GetTypedHeaders();
        foreach (var (name, value) in feedRoute.Headers)
            response.Headers[name] = value;
        if (feedRoute.SendETag)
            headers.ETag = EntityTagHeaderValue.Parse(etag);
        if (feedRoute.SendLastModified)
            headers.LastModified = lastModified;

        var requestHeaders = context.Request.GetTypedHeaders();
        // RFC 9110 13.2.2: If-None-Match wins over If-Modified-Since when both are present.
        var notModified = requestHeaders.IfNoneMatch is { Count: > 0 } inm
            ? feedRoute.SendETag && inm.Any(tag => tag.Tag.ToString() == etag || tag.Tag == "*")
            : feedRoute.SendLastModified && requestHeaders.IfModifiedSince is { } since && lastModified <= since;
        if (notModified)
        {
            response.StatusCode = 304;
            return 304;
        }

        if (feedRoute.Delay is { } feedDelay)
            await Task.Delay(feedDelay);
        response.StatusCode = 200;
        response.ContentType = feedRoute.ContentType;
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body);
        return 200;
    }

    // HTTP dates have whole seconds.
    private static DateTimeOffset Truncate(DateTimeOffset t) => new(t.UtcTicks - t.UtcTicks % TimeSpan.TicksPerSecond, TimeSpan.Zero);

    private static DateTimeOffset Next(DateTimeOffset previous)
    {
        var now = Truncate(DateTimeOffset.UtcNow);
        return now > previous ? now : previous.AddSeconds(1);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private abstract class Route;

    private sealed class FeedRoute(RssBuilder feed) : Route
    {
        public RssBuilder Feed { get; } = feed;
        public DateTimeOffset LastModified { get; set; }
        public int Generation { get; set; }
        public bool SendETag { get; set; } = true;
        public bool SendLastModified { get; set; } = true;
        public IReadOnlyDictionary<string, string> Headers { get; set; } = new Dictionary<string, string>();
        public string ContentType { get; set; } = "application/rss+xml; charset=utf-8";
        public TimeSpan? Delay { get; set; }
    }

    private sealed class FixedRoute(ScriptedResponse response) : Route
    {
        public ScriptedResponse Response { get; } = response;
    }
}

/// <param name="Delay">Wait before answering; the wait ends early when the client disconnects.</param>
/// <param name="SendContentLength">False streams the body chunked, with no length announced.</param>
public sealed record ScriptedResponse(
    int Status,
    byte[] Body,
    string ContentType = "text/html; charset=utf-8",
    TimeSpan? Delay = null,
    IReadOnlyDictionary<string, string>? Headers = null,
    bool SendContentLength = true);

public sealed record RecordedRequest(string Path, string UserAgent, string? IfNoneMatch, string? IfModifiedSince)
{
    /// <summary>Real time of arrival, for pacing assertions.</summary>
    public DateTime ArrivedAt { get; } = DateTime.UtcNow;

    /// <summary>Real time the server finished answering (null while in progress), for concurrency assertions across clients.</summary>
    public DateTime? FinishedAt { get; internal set; }

    /// <summary>What the server answered; 0 while in progress or when the client went away first.</summary>
    public int Status { get; internal set; }
}
