using System.Globalization;
using Alerts.Core.Feeds;

namespace Alerts.Core.Admin;

/// <summary>How the admin pages write a feed's name, times and sizes. Plain text: the renderer encodes it.</summary>
public static class FeedDisplay
{
    public static string Name(Feed f) => f.Title.Length > 0 ? f.Title : f.Url;

    public static string Time(DateTimeOffset? t) => t is { } value ? value.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture) : "";

    public static string Bytes(long bytes) => bytes switch
    {
        >= 1 << 20 => (bytes / 1048576.0).ToString("0.#", CultureInfo.InvariantCulture) + " MB",
        >= 1 << 10 => (bytes / 1024.0).ToString("0.#", CultureInfo.InvariantCulture) + " KB",
        _ => bytes + " B",
    };

    /// <summary>"30 days", "12 hours": a retention period as people say it.</summary>
    public static string Period(TimeSpan span) =>
        span.TotalDays >= 1 && span.TotalDays % 1 == 0 ? Plural((int)span.TotalDays, "day")
        : span.TotalHours >= 1 && span.TotalHours % 1 == 0 ? Plural((int)span.TotalHours, "hour")
        : Plural((int)Math.Ceiling(span.TotalMinutes), "minute");

    private static string Plural(int n, string unit) => n == 1 ? $"1 {unit}" : $"{n} {unit}s";

    /// <summary>Items per day as the table shows it: blank until measured, one decimal below 10.</summary>
    public static string Rate(double? perDay) => perDay switch
    {
        null => "",
        < 10 => perDay.Value.ToString("0.#", CultureInfo.InvariantCulture),
        _ => Math.Round(perDay.Value).ToString(CultureInfo.InvariantCulture),
    };

    /// <summary>Only http(s) links from a feed become links; anything else (javascript:, data:) stays text.</summary>
    public static bool IsWebLink(string? url) =>
        Uri.TryCreate(url, UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttp || uri.Scheme == Uri.UriSchemeHttps);
}
