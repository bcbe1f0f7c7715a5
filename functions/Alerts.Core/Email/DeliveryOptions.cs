using System.ComponentModel.DataAnnotations;

namespace Alerts.Core.Email;

/// <summary>How sending survives failures: the claim lease, retry delays, how long an email is worth retrying, bounces, outage alerts.</summary>
public sealed class DeliveryOptions
{
    public const string Section = "Delivery";

    /// <summary>
    /// How long a worker's claim on an email holds before another may take it over. Longer than the slowest send plus
    /// the time allowed to record it (<see cref="RecordFor"/>): a takeover of a live claim is a duplicate.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How long a worker keeps trying to record an email the server accepted (storage down) before it gives up.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RecordFor { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>The first retry delay after a refused or failed send; each further attempt doubles it (with jitter).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan RetryInitialDelay { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>The longest delay between attempts (a queue message can be hidden for at most 7 days).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "7.00:00:00")]
    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromHours(2);

    /// <summary>How long an instant alert is worth retrying after it was first tried; digests retry until the next digest.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "7.00:00:00")]
    public TimeSpan InstantWorthFor { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Permanent (5xx) refusals for one address after which it gets no more email until the subscriber acts.</summary>
    [Range(1, 100)]
    public int HardBouncesToSuppress { get; set; } = 3;

    /// <summary>How long sending must keep failing before admins get one email about it (and one on recovery).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan OutageAlertAfter { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long a poll's instant alerts stay hidden in <c>digest-send</c> before the first of them freezes the poll's
    /// email. The poll's article-match messages were all queued at one moment, so by then the rest of the poll is matched
    /// too, even when matching runs on many instances in any order: one email for the poll instead of one plus an email
    /// per story matched after it froze. 0 sends at once.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:05:00")]
    public TimeSpan InstantGatherFor { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How old an unsent match or unfinished digest must be before the sweep queues it again.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan SweepAfter { get; set; } = TimeSpan.FromMinutes(30);
}
