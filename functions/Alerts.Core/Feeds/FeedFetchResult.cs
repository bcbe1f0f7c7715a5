namespace Alerts.Core.Feeds;

/// <summary>Outcome of one HTTP fetch of a feed.</summary>
public abstract record FeedFetchResult(TimeSpan Elapsed)
{
    /// <summary>304: the validators matched, there is no body.</summary>
    public sealed record NotModified(string? ETag, DateTimeOffset? LastModified, TimeSpan Elapsed) : FeedFetchResult(Elapsed);

    public sealed record Fetched(
        byte[] Body, int Status, string? ETag, DateTimeOffset? LastModified, string? ContentType, TimeSpan Elapsed)
        : FeedFetchResult(Elapsed);

    /// <param name="Status">The HTTP status when there was a response.</param>
    /// <param name="RetryAfter">The server's Retry-After (429/503), as a delay.</param>
    public sealed record Failed(FeedErrorKind Kind, int? Status, string Message, TimeSpan Elapsed, TimeSpan? RetryAfter = null)
        : FeedFetchResult(Elapsed);
}
