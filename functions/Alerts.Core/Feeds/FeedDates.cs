using System.Globalization;
using System.Text.RegularExpressions;

namespace Alerts.Core.Feeds;

/// <summary>
/// Feed dates: RFC 822 (RSS) and ISO 8601 / RFC 3339 (Atom, JSON Feed, dc:date), and the broken forms seen in the
/// wild: no zone ("2026-03-02 08:15:00"), a single-digit day, a wrong or missing weekday, "+0000" without a colon,
/// US zone names (EST, PDT), a zone name nobody knows. Null when nothing fits; the caller then uses the time the
/// item was first seen.
/// </summary>
public static partial class FeedDates
{
    private static readonly string[] Formats =
    [
        "yyyy-MM-dd HH:mm:ss", "yyyy-MM-dd HH:mm", "yyyy-MM-dd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm", "yyyy-MM-dd", "yyyy/MM/dd HH:mm:ss",
        "d MMM yyyy HH:mm:ss", "d MMM yyyy HH:mm", "d MMMM yyyy HH:mm:ss", "d MMM yyyy", "MMM d, yyyy HH:mm:ss", "MMM d, yyyy", "MMMM d, yyyy",
        "ddd d MMM yyyy HH:mm:ss", "ddd, d MMM yyyy HH:mm:ss", "ddd, d MMM yy HH:mm:ss", "dddd, d MMMM yyyy HH:mm:ss", "d MMM yy HH:mm:ss",
    ];

    private static readonly string[] CommonFormats = ["r", "yyyy-MM-dd'T'HH:mm:ss'Z'", "yyyy-MM-dd'T'HH:mm:sszzz"];

    // RFC 822's zone names; others ("CEST", "IST") are ambiguous or unknown and read as UTC below.
    private static readonly Dictionary<string, string> Zones = new(StringComparer.OrdinalIgnoreCase)
    {
        ["GMT"] = "+00:00", ["UTC"] = "+00:00", ["UT"] = "+00:00", ["Z"] = "+00:00",
        ["EST"] = "-05:00", ["EDT"] = "-04:00", ["CST"] = "-06:00", ["CDT"] = "-05:00",
        ["MST"] = "-07:00", ["MDT"] = "-06:00", ["PST"] = "-08:00", ["PDT"] = "-07:00",
    };

    [GeneratedRegex(@"\s+(?:[A-Z]{2,5}|[+-]\d{2}:?\d{2}|Z)$", RegexOptions.CultureInvariant)]
    private static partial Regex TrailingZone();

    [GeneratedRegex(@"(?<=\d)\s*([+-]\d{2}):?(\d{2})$|(?<=\d)Z$|\s+(GMT|UTC|UT|[ECMP][SD]T)$", RegexOptions.CultureInvariant | RegexOptions.IgnoreCase)]
    private static partial Regex KnownZone();

    [GeneratedRegex(@"^[A-Za-z]{3,9}\.?,?\s+(?=\d)", RegexOptions.CultureInvariant)]
    private static partial Regex Weekday();

    public static DateTimeOffset? TryParse(string? raw)
    {
        if (string.IsNullOrWhiteSpace(raw) || raw.Length > 100)
            return null;
        var text = raw.Trim();
        const DateTimeStyles utc = DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal | DateTimeStyles.AllowWhiteSpaces;
        // The shapes nearly every feed sends (RFC 1123 in GMT, RFC 3339 to the second), read exactly: the general
        // reading below gives the same instant for them, at several times the cost.
        if (DateTimeOffset.TryParseExact(text, CommonFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var common))
            return common.ToUniversalTime();
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, utc, out var direct) && KnownZone().IsMatch(text))
            return direct.ToUniversalTime();
        // A weekday that does not match the date is common ("Tue, 02 Mar 2026" on a Monday); the date wins.
        var noWeekday = Weekday().Replace(text, "");
        if (KnownZone().Match(noWeekday) is { Success: true } zone)
        {
            var offset = zone.Groups[1].Success ? zone.Groups[1].Value + ":" + zone.Groups[2].Value
                : zone.Groups[3].Success ? Zones[zone.Groups[3].Value] : "+00:00";
            var local = noWeekday[..zone.Index].Trim();
            if (DateTimeOffset.TryParse(local + " " + offset, CultureInfo.InvariantCulture, utc, out var zoned))
                return zoned.ToUniversalTime();
        }
        // A zone we can't map ("CEST", "IST"): read the local part as UTC; hours off beats first-seen days later.
        var bare = TrailingZone().Replace(text, "");
        if (DateTimeOffset.TryParseExact(bare, Formats, CultureInfo.InvariantCulture, utc, out var exact))
            return exact.ToUniversalTime();
        if (DateTimeOffset.TryParse(bare, CultureInfo.InvariantCulture, utc, out var loose))
            return loose.ToUniversalTime();
        bare = TrailingZone().Replace(noWeekday, "");
        if (DateTimeOffset.TryParseExact(bare, Formats, CultureInfo.InvariantCulture, utc, out exact))
            return exact.ToUniversalTime();
        if (DateTimeOffset.TryParse(bare, CultureInfo.InvariantCulture, utc, out loose))
            return loose.ToUniversalTime();
        return null;
    }
}
