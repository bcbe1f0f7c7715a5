namespace Alerts.Core.Storage;

/// <summary>Every queue the pipeline uses. Function attributes, the local host and infra all read these.</summary>
public static class QueueNames
{
    public const string FeedFetch = "feed-fetch";
    public const string ArticleMatch = "article-match";
    public const string DigestSend = "digest-send";
    /// <summary>The second half of a subscribe request: looked up, limited and emailed after the answer was sent.</summary>
    public const string SubscribeRequest = "subscribe-request";
    /// <summary>"Email me a link to my alerts": looked up, limited and emailed after the answer was sent.</summary>
    public const string ManageLinkRequest = "manage-link-request";

    public static readonly IReadOnlyList<string> All = [FeedFetch, ArticleMatch, DigestSend, SubscribeRequest, ManageLinkRequest];

    /// <summary>Where a message goes after <c>maxDequeueCount</c> failed attempts (the Functions host's convention).</summary>
    public static string Poison(string queue) => queue + "-poison";
}

/// <summary>Every table the app uses.</summary>
public static class TableNames
{
    public const string Feeds = "Feeds";
    public const string Articles = "Articles";
    public const string Subscriptions = "Subscriptions";
    public const string Matches = "Matches";
    public const string Digests = "Digests";
    public const string SubscriptionChanges = "SubscriptionChanges";
    /// <summary>Per-address bounces and the shared sending (outage) state.</summary>
    public const string Deliveries = "Deliveries";

    /// <summary>Abuse-limit counters shared by all instances (one row per key and window).</summary>
    public const string RateLimits = "RateLimits";
    /// <summary>Subscription ids by a hash of the normalised address (see SubscriptionStore).</summary>
    public const string SubscriptionsByAddress = "SubscriptionsByAddress";

    /// <summary>Digest subscriptions by due minute (Digests/DigestDueIndex).</summary>
    public const string DigestDue = "DigestDue";

    /// <summary>Unconfirmed subscriptions by creation minute, so they can expire (Subscriptions/PendingExpiryIndex).</summary>
    public const string PendingExpiry = "PendingExpiry";

    /// <summary>Requests in flight to each feed host, shared by every instance (Feeds/SharedHostSlots).</summary>
    public const string HostSlots = "HostSlots";

    /// <summary>The shared send-rate buckets (Email/SendRateLimiter).</summary>
    public const string SendRate = "SendRate";

    public static readonly IReadOnlyList<string> All = [Feeds, Articles, Subscriptions, Matches, Digests, SubscriptionChanges, RateLimits, SubscriptionsByAddress, DigestDue, Deliveries, PendingExpiry, HostSlots, SendRate];
}

/// <summary>App settings that hold NCRONTAB schedules (6 fields, with seconds).</summary>
public static class ScheduleSettings
{
    public const string Poll = "PollSchedule";
    public const string Digest = "DigestSchedule";
    public const string UnsubscribeMailbox = "UnsubscribeMailboxSchedule";
    public const string IndexSnapshot = "IndexSnapshotSchedule";
    public const string DeliverySweep = "DeliverySweepSchedule";
}
