namespace Alerts.Core.Feeds;

/// <summary>Feed polling settings, bound from the "Feeds" section (app settings <c>Feeds__Timeout</c> etc.).</summary>
public sealed class FeedFetchOptions
{
    public const string Section = "Feeds";

    /// <summary>Honest and contactable, so a publisher who sees us in their logs can reach us.</summary>
    public string UserAgent { get; set; } = "Alerts/1.0 (+https://github.com/alerts; feed fetcher)";

    /// <summary>Whole request, headers and body.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Hard cap on the (decompressed) body; protects memory against huge or endless responses.</summary>
    public long MaxResponseBytes { get; set; } = 5 * 1024 * 1024;

    public int MaxRedirects { get; set; } = 5;

    /// <summary>Poll interval given to new feeds.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Items taken from one response (feeds list newest first); the rest are ignored.</summary>
    public int MaxItemsPerFetch { get; set; } = 200;

    /// <summary>
    /// How long the poller pushes a feed's next check out when it enqueues a fetch, so that the next timer tick
    /// does not enqueue it again while the fetch is still queued or running. The fetch sets the real next check.
    /// </summary>
    public TimeSpan FetchLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Upper bound of the failure backoff.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(24);
}
