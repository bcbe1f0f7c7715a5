namespace Alerts.Core.Feeds;

/// <summary>Outcome of one HTTP fetch of a feed.</summary>
public abstract record FeedFetchResult(TimeSpan Elapsed)
{
    /// <summary>Where every redirect on the way was permanent (301/308): the URL to store from now on.</summary>
    public string? MovedTo { get; init; }

    /// <summary>How long the server says the response stays fresh (Cache-Control max-age, else Expires); a poll floor.</summary>
    public TimeSpan? CacheLifetime { get; init; }

    /// <summary>304: the validators matched, there is no body.</summary>
    public sealed record NotModified(string? ETag, DateTimeOffset? LastModified, TimeSpan Elapsed) : FeedFetchResult(Elapsed);

    /// <param name="Url">The URL the body came from, after redirects (discovery resolves relative links against it).</param>
    public sealed record Fetched(
        byte[] Body, int Status, string? ETag, DateTimeOffset? LastModified, string? ContentType, TimeSpan Elapsed, string? Url = null)
        : FeedFetchResult(Elapsed);

    /// <param name="Status">The HTTP status when there was a response.</param>
    /// <param name="RetryAfter">The server's Retry-After (429/503), as a delay.</param>
    public sealed record Failed(FeedErrorKind Kind, int? Status, string Message, TimeSpan Elapsed, TimeSpan? RetryAfter = null)
        : FeedFetchResult(Elapsed);
}
