using System.Diagnostics.CodeAnalysis;
using Alerts.Core.Feeds.Parsing;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Feeds;

/// <summary>
/// Reads RSS 0.9x/1.0/2.0, Atom 0.3/1.0 and JSON Feed the way a forgiving reader does: bytes are decoded (BOM, then
/// declaration, then HTTP charset, stray 1252 bytes repaired), ill-formed XML is repaired in one linear pass
/// (<see cref="XmlRepair"/>), then the document element picks the format's mapper. What was repaired is reported,
/// never fatal; what cannot be read at all (HTML, an entity bomb, a budget overrun) is a clear error.
/// CodeHollow.FeedReader stays the reference the parse benchmark compares against.
/// </summary>
public sealed class FeedParser(FeedParseLimits limits)
{
    public FeedParser()
        : this(FeedParseLimits.Default)
    {
    }

    public FeedParser(IOptions<FeedFetchOptions> options)
        : this(FeedParseLimits.Default with { TimeBudget = options.Value.ParseTimeBudget })
    {
    }

    public bool TryParse(
        byte[] body, int maxItems, [NotNullWhen(true)] out ParsedFeed? feed, [NotNullWhen(false)] out string? error) =>
        TryParse(body, null, maxItems, out feed, out error);

    /// <param name="contentType">The HTTP Content-Type; its charset is used when the document has no BOM or declaration.</param>
    public bool TryParse(
        byte[] body, string? contentType, int maxItems, [NotNullWhen(true)] out ParsedFeed? feed, [NotNullWhen(false)] out string? error) =>
        TryParse(body, contentType, documentUrl: null, maxItems, CancellationToken.None, out feed, out error);

    /// <param name="documentUrl">Where the body was fetched from: the base of relative links when there is no xml:base.</param>
    /// <param name="cancellationToken">Stops the parse (as the time budget does) with an error.</param>
    public bool TryParse(
        byte[] body, string? contentType, string? documentUrl, int maxItems, CancellationToken cancellationToken,
        [NotNullWhen(true)] out ParsedFeed? feed, [NotNullWhen(false)] out string? error) =>
        TryParse(body, contentType, documentUrl, maxItems, new ParseBudget(limits, cancellationToken), out feed, out error);

    /// <summary>Parses and says how much work it took (characters and nodes visited), success or not: for tests and benchmarks.</summary>
    internal (ParsedFeed? Feed, string? Error, long Work) Measure(byte[] body, string? documentUrl = null, int maxItems = 200)
    {
        var budget = new ParseBudget(limits, CancellationToken.None);
        TryParse(body, null, documentUrl, maxItems, budget, out var feed, out var error);
        return (feed, error, budget.Work);
    }

    private bool TryParse(
        byte[] body, string? contentType, string? documentUrl, int maxItems, ParseBudget budget,
        [NotNullWhen(true)] out ParsedFeed? feed, [NotNullWhen(false)] out string? error)
    {
        var context = new FeedContext(Uri.TryCreate(documentUrl, UriKind.Absolute, out var url) ? url : null, maxItems, budget);
        try
        {
            var text = FeedEncoding.Decode(body, contentType);
            budget.Add(body.Length);
            var start = text.AsSpan().TrimStart();
            if (start.IsEmpty)
                return Fail("the document is empty", out feed, out error);
            if (start[0] is '{' or '[')
            {
                if (!JsonFeedFormat.TryMap(text, context, out feed, out error))
                    return Fail(error!, out feed, out error);
                feed = feed! with { Work = budget.Work };
                return true;
            }

            var (xml, repairs) = XmlRepair.Repair(text, budget);
            var root = FeedXml.Load(xml, budget).Root;
            if (root is null)
                return Fail("no XML document element", out feed, out error);
            budget.Check();
            ParsedFeed? mapped = FeedXml.Key(root).Split(':')[^1] switch
            {
                "rss" or "rdf" or "channel" => RssFormat.Map(root, context),
                "feed" => AtomFormat.Map(root, context),
                _ => null,
            };
            if (mapped is null)
                return Fail(root.Name.LocalName.Equals("html", StringComparison.OrdinalIgnoreCase)
                    ? "an HTML page, not a feed"
                    : $"<{root.Name.LocalName}> is not an RSS, Atom or JSON feed", out feed, out error);
            // A document cut off before its first item is a failed download, not an empty feed.
            if (repairs.Truncated && mapped.Items.Count == 0)
                return Fail($"the document is truncated before its first item ({repairs})", out feed, out error);
            budget.Check();
            feed = mapped with { Repairs = repairs.ToString(), Work = budget.Work };
            error = null;
            return true;
        }
        catch (FeedParseBudgetException ex)
        {
            return Fail(ex.Message, out feed, out error);
        }
        // Anything else the readers throw (XmlException incl. entity-expansion limits, JSON errors) means "not a
        // feed we can read", never a crash.
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            return Fail($"{ex.GetType().Name}: {ex.Message}", out feed, out error);
        }
    }

    private static bool Fail(string reason, out ParsedFeed? feed, out string? error)
    {
        feed = null;
        error = "Not a readable feed: " + reason;
        return false;
    }
}
