using System.Globalization;
using System.Text.RegularExpressions;

namespace Alerts.Core.Feeds;

/// <summary>
/// Dates FeedReader could not read (it handles RFC 822 and ISO 8601 with zone names). Common broken forms seen in
/// the wild: no zone ("2026-03-02 08:15:00"), a single-digit day, a missing weekday comma, a zone name it does not
/// know. Null when nothing fits; the caller then uses the time the item was first seen.
/// </summary>
public static partial class FeedDates
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd", "yyyy/MM/dd HH:mm:ss",
        "d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm", "d MMMM yyyy HH:mm:ss", "d MMM yyyy", "MMM d, yyyy HH:mm:ss", "MMM d, yyyy", "MMMM d, yyyy",
        "ddd d MMM yyyy HH:mm:ss", "ddd, d MMM yyyy HH:mm:ss", "ddd, d MMM yy HH:mm:ss", "dddd, d MMMM yyyy HH:mm:ss",
    ];

    [GeneratedRegex(@"\s+(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2}|Z)$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingZone();

    [GeneratedRegex(@"[+-]\d{2}:?\d{2}$|Z$|GMT$|UTC$|UT$", RegexOptions.CultureInvariant)]
    private static partial Regex KnownZone();

    public static DateTimeOffset? TryParse(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw))
            return null;
        var text = raw.Trim();
        const DateTimeStyles utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;
        if (KnownZone().IsMatch(text) && DateTimeOffset.TryParse(text.Replace("GMT", "+00:00").Replace("UTC", "+00:00"), CultureInfo.InvariantCulture, utc, out var zoned))
            return zoned.ToUniversalTime();
        // A zone we can't map ("CEST", "IST"): read the local part as UTC; hours off beats first-seen days later.
        var bare = TrailingZone().Replace(text, "");
        if (DateTimeOffset.TryParseExact(bare, Formats, CultureInfo.InvariantCulture, utc, out var exact))
            return exact.ToUniversalTime();
        if (DateTimeOffset.TryParse(bare, CultureInfo.InvariantCulture, utc, out var loose))
            return loose.ToUniversalTime();
        return null;
    }
}
