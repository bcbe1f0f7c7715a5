using Alerts.Core.Feeds;

namespace Alerts.Core.Admin;

/// <summary>A feed as the admin API shows it: settings and health, without internal validators and hashes.</summary>
public sealed record FeedHealth(
    string Id,
    string Url,
    string Title,
    string SiteUrl,
    string Tags,
    FeedStatus Status,
    string? DisabledReason,
    ItemIdentity Identity,
    FullTextMode FullText,
    bool Errored,
    DateTimeOffset? LastSuccessAt,
    DateTimeOffset? LastCheckedAt,
    int? LastHttpStatus,
    FeedErrorKind? LastErrorKind,
    string? LastError,
    int ConsecutiveFailures,
    DateTimeOffset? FailingSince,
    DateTimeOffset NextCheckAt,
    TimeSpan PollInterval,
    TimeSpan? PublisherFloor,
    double? ItemsPerDay,
    DateTimeOffset? LastNewItemAt,
    int? LastResponseMs,
    long BytesSavedBy304,
    DateTimeOffset CreatedAt,
    string? LastRepairs = null)
{
    /// <param name="itemsPerDay">Measured by <see cref="FeedActivity"/>; null until the feed has been watched long enough.</param>
    public static FeedHealth Of(Feed f, double? itemsPerDay) => new(
        f.Id, f.Url, f.Title, f.SiteUrl, f.Tags, f.Status, f.DisabledReason, f.Identity, f.FullText, f.IsErrored, f.LastSuccessAt, f.LastCheckedAt,
        f.LastHttpStatus, f.LastErrorKind, f.LastError, f.ConsecutiveFailures, f.FailingSince, f.NextCheckAt, f.PollInterval,
        f.PublisherFloor, itemsPerDay is { } rate ? Math.Round(rate, 2) : null, f.LastNewItemAt, f.LastResponseMs, f.BytesSavedBy304, f.CreatedAt, f.LastRepairs);

    /// <summary>Filters of the list: status=errored|active|paused|disabled and tag=name.</summary>
    public static bool Matches(Feed f, string? status, string? tag) =>
        (string.IsNullOrEmpty(status)
            || (status.Equals("errored", StringComparison.OrdinalIgnoreCase) ? f.IsErrored : f.Status.ToString().Equals(status, StringComparison.OrdinalIgnoreCase)))
        && (string.IsNullOrEmpty(tag) || f.Tags.Split(',').Contains(tag.Trim(), StringComparer.OrdinalIgnoreCase));
}
