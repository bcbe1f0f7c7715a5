namespace Alerts.Core.Storage;

/// <summary>Every queue the pipeline uses. Function attributes, the local host and infra all read these.</summary>
public static class QueueNames
{
    public const string FeedFetch = "feed-fetch";
    public const string ArticleMatch = "article-match";
    public const string DigestSend = "digest-send";

    public static readonly IReadOnlyList<string> All = [FeedFetch, ArticleMatch, DigestSend];

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

    public static readonly IReadOnlyList<string> All = [Feeds, Articles, Subscriptions, Matches, Digests, SubscriptionChanges, Deliveries];
}

/// <summary>App settings that hold NCRONTAB schedules (6 fields, with seconds).</summary>
public static class ScheduleSettings
{
    public const string Poll = "PollSchedule";
    public const string Digest = "DigestSchedule";
    public const string UnsubscribeMailbox = "UnsubscribeMailboxSchedule";
    public const string DeliverySweep = "DeliverySweepSchedule";
}
