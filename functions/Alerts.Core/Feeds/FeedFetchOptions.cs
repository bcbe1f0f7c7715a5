namespace Alerts.Core.Feeds;

/// <summary>Feed polling settings, bound from the "Feeds" section (app settings <c>Feeds__Timeout</c> etc.).</summary>
public sealed class FeedFetchOptions
{
    public const string Section = "Feeds";

    /// <summary>Honest and contactable, so a publisher who sees us in their logs can reach us.</summary>
    public string UserAgent { get; set; } = "Alerts/1.0 (+https://github.com/alerts; feed fetcher)";

    /// <summary>
    /// Whole request, headers and body, over all of a fetch's redirect hops. Counts request time only, never the wait
    /// for a per-host slot; that wait is bounded by the same length on its own (<see cref="HostBusyException"/>).
    /// </summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Hard cap on the (decompressed) body; protects memory against huge or endless responses.</summary>
    public long MaxResponseBytes { get; set; } = 5 * 1024 * 1024;

    public int MaxRedirects { get; set; } = 5;

    /// <summary>Hard cap on an article page fetched for its full text (feeds with full text on or auto).</summary>
    public long MaxPageBytes { get; set; } = 2 * 1024 * 1024;

    /// <summary>Poll interval given to new feeds.</summary>
    public TimeSpan DefaultPollInterval { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// CPU time one document may take to parse. Parsing runs on its own thread; past the budget the fetch records
    /// the feed as unreadable and moves on, so a hostile or pathological document never holds up other feeds.
    /// </summary>
    public TimeSpan ParseTimeBudget { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Items taken from one response (feeds list newest first); the rest are ignored.</summary>
    public int MaxItemsPerFetch { get; set; } = 200;

    /// <summary>
    /// How long the poller pushes a feed's next check out when it enqueues a fetch, so that the next timer tick
    /// does not enqueue it again while the fetch is still queued or running. The fetch sets the real next check.
    /// </summary>
    public TimeSpan FetchLease { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>Upper bound of the failure backoff.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Shortest adaptive poll interval, however often a feed posts.</summary>
    public TimeSpan MinPollInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Longest adaptive poll interval, however quiet a feed is; also caps publisher floors (ttl, max-age).</summary>
    public TimeSpan MaxPollInterval { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Requests in flight to one host at once, across all instances (<see cref="SharedHostSlots"/>).</summary>
    public int MaxConcurrentPerHost { get; set; } = 2;

    /// <summary>Least time between the starts of two requests to one host, across all instances.</summary>
    public TimeSpan MinHostGap { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>Feeds of one host carried by one fetch message (fewer queue transactions, one politeness queue).</summary>
    public int FeedsPerMessage { get; set; } = 10;

    /// <summary>
    /// SSRF guard: feed hosts that resolve to loopback (127.0.0.0/8, ::1) are refused unless this is true.
    /// The local host and the tests set it, for their loopback feeds.
    /// </summary>
    public bool AllowLoopback { get; set; }

    /// <summary>SSRF guard: private networks (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) are refused unless this is true.
    /// Link-local and cloud-metadata addresses (169.254/16, fe80::/10) are always refused.</summary>
    public bool AllowPrivateNetworks { get; set; }

    /// <summary>How long a deleted feed's articles are kept (digests and match history may still point at them).</summary>
    public TimeSpan DeletedFeedRetention { get; set; } = TimeSpan.FromDays(30);
}
