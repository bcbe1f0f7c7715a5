using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text.RegularExpressions;
using System.Xml;
using Reader = CodeHollow.FeedReader;

namespace Alerts.Core.Feeds;

/// <summary>
/// Parses RSS, Atom and JSON Feed bytes with CodeHollow.FeedReader. Bytes, not a string, so the XML declaration's
/// encoding is honoured (decoding ISO-8859-1 as UTF-8 first gives mojibake).
/// </summary>
public sealed class FeedParser
{
    // FeedReader parses with XLinq defaults: DTDs processed, entity expansion capped at 10 M characters. That is safe
    // but burns about a second of CPU per hostile document (more on a busy worker), so documents that declare
    // entities are first read with a far lower cap. Real feeds declare a handful of short entities, if any.
    private const long MaxCharactersFromEntities = 100_000;

    public bool TryParse(
        byte[] body, int maxItems, [NotNullWhen(true)] out ParsedFeed? feed, [NotNullWhen(false)] out string? error) =>
        TryParse(body, null, maxItems, out feed, out error);

    /// <param name="contentType">The HTTP Content-Type; its charset is used when the document has no BOM or declaration.</param>
    /// <param name="cancellationToken">The caller's time budget: once cancelled, parsing stops with
    /// <see cref="OperationCanceledException"/> at its next check.</param>
    public bool TryParse(
        byte[] body, string? contentType, int maxItems, [NotNullWhen(true)] out ParsedFeed? feed, [NotNullWhen(false)] out string? error,
        CancellationToken cancellationToken = default)
    {
        try
        {
            var text = FeedEncoding.Decode(body, contentType);
            if (text.AsSpan().TrimStart().StartsWith("<"))
                body = FeedEncoding.ToUtf8Xml(text);
            // After re-encoding, so a UTF-16 bomb is caught too.
            RejectEntityExpansion(body, cancellationToken);
            cancellationToken.ThrowIfCancellationRequested();
            var parsed = Reader.FeedReader.ReadFromByteArray(body);
            cancellationToken.ThrowIfCancellationRequested();
            var items = parsed.Items
                .Take(maxItems)
                .Select(item => cancellationToken.IsCancellationRequested ? throw new OperationCanceledException(cancellationToken) : new ParsedItem(
                    Blank(item.Id),
                    Blank(item.Link),
                    HtmlText.ToPlainText(item.Title),
                    HtmlText.ToPlainText(item.Description),
                    HtmlText.ToPlainText(item.Content),
                    Utc(item.PublishingDate) ?? FeedDates.TryParse(item.PublishingDateString)))
                .ToList();
            feed = new ParsedFeed(HtmlText.ToPlainText(parsed.Title), parsed.Link?.Trim() ?? "", items)
            {
                DeclaredInterval = DeclaredInterval(text),
            };
            error = null;
            return true;
        }
        // Anything the library throws (XmlException incl. entity-expansion limits, FeedTypeNotSupportedException,
        // JSON errors, its own NullReferenceExceptions on odd feeds) means "not a feed we can read", never a crash.
        catch (Exception ex) when (ex is not OutOfMemoryException && !(ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            feed = null;
            error = $"Not a readable feed: {ex.GetType().Name}: {ex.Message}";
            return false;
        }
    }

    private static void RejectEntityExpansion(byte[] body, CancellationToken cancellationToken)
    {
        var span = body.AsSpan();
        if (span.IndexOf("<!ENTITY"u8) < 0)
            return;
        // Start at the first '<' (skipping a BOM and leading whitespace, which FeedReader tolerates but XmlReader not).
        var start = span.IndexOf((byte)'<');
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Parse,
            XmlResolver = null,
            MaxCharactersFromEntities = MaxCharactersFromEntities,
        };
        using var reader = XmlReader.Create(new MemoryStream(body, start, body.Length - start, writable: false), settings);
        while (reader.Read())
            cancellationToken.ThrowIfCancellationRequested();
    }

    private static readonly Regex Ttl = new(@"<ttl>\s*(\d{1,6})\s*</ttl>", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex UpdatePeriod = new(@"<(?:\w+:)?updatePeriod>\s*(hourly|daily|weekly|monthly|yearly)\s*</", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
    private static readonly Regex UpdateFrequency = new(@"<(?:\w+:)?updateFrequency>\s*(\d{1,4})\s*</", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));

    /// <summary>
    /// The publisher's own "don't poll more often than": RSS <c>&lt;ttl&gt;</c> (minutes) or the Syndication module's
    /// <c>sy:updatePeriod</c> / <c>sy:updateFrequency</c>; the longer of the two.
    /// </summary>
    private static TimeSpan? DeclaredInterval(string text)
    {
        TimeSpan? ttl = Ttl.Match(text) is { Success: true } t ? TimeSpan.FromMinutes(int.Parse(t.Groups[1].Value, CultureInfo.InvariantCulture)) : null;
        TimeSpan? period = null;
        if (UpdatePeriod.Match(text) is { Success: true } p)
        {
            var length = p.Groups[1].Value.ToLowerInvariant() switch
            {
                "hourly" => TimeSpan.FromHours(1),
                "daily" => TimeSpan.FromDays(1),
                "weekly" => TimeSpan.FromDays(7),
                "monthly" => TimeSpan.FromDays(30),
                _ => TimeSpan.FromDays(365),
            };
            var frequency = UpdateFrequency.Match(text) is { Success: true } f ? Math.Max(1, int.Parse(f.Groups[1].Value, CultureInfo.InvariantCulture)) : 1;
            period = length / frequency;
        }
        var longest = ttl > period || period is null ? ttl : period;
        return longest > TimeSpan.Zero ? longest : null;
    }

    private static string? Blank(string? value) => string.IsNullOrWhiteSpace(value) ? null : value.Trim();

    // FeedReader returns UTC; a Local value is converted rather than relabelled, just in case.
    private static DateTimeOffset? Utc(DateTime? date) => date switch
    {
        null => null,
        { Kind: DateTimeKind.Local } local => new DateTimeOffset(local.ToUniversalTime(), TimeSpan.Zero),
        { } value => new DateTimeOffset(DateTime.SpecifyKind(value, DateTimeKind.Utc), TimeSpan.Zero),
    };
}
