using Alerts.Core.Feeds;

namespace Alerts.Core.Matching;

/// <summary>
/// The match-to-email contract: the text the matcher searches, what its hit offsets point into, and how an email or
/// a preview shows them (hits clamped and merged, a snippet around the first body hit, links only when http(s)).
/// The matcher, the digests and the preview all go through here, so an offset always means the same character.
/// </summary>
public static class MatchedText
{
    public const int SnippetLength = 240;

    /// <summary>The Body text the matcher searches: body hit offsets point into exactly this string.</summary>
    public static string Body(Article article) => article.Summary + "\n" + article.Content;

    /// <summary>The document the matcher (and the plain evaluator, and the explanation) sees for an article.</summary>
    public static MatchDocument Document(Article article) => new(article.Title, Body(article), article.Site);

    /// <summary>The link as an absolute http(s) URL, or null for anything else (javascript:, data:, relative, junk).</summary>
    public static string? SafeLink(string? link) =>
        Uri.TryCreate(link?.Trim(), UriKind.Absolute, out var uri) && (uri.Scheme == Uri.UriSchemeHttps || uri.Scheme == Uri.UriSchemeHttp)
            ? uri.AbsoluteUri
            : null;

    /// <summary>The title as plain/highlighted runs.</summary>
    public static IReadOnlyList<(string Text, bool Hit)> Title(Article article, IReadOnlyList<Hit> hits) =>
        Segments(article.Title, HitsIn(hits, DocumentField.Title, article.Title.Length), 0, article.Title.Length).ToList();

    /// <summary>~240 characters of the body around the first body hit (or its start), as plain/highlighted runs.</summary>
    public static IReadOnlyList<(string Text, bool Hit)> Snippet(Article article, IReadOnlyList<Hit> hits)
    {
        var body = Body(article);
        if (string.IsNullOrWhiteSpace(body))
            return [];
        var bodyHits = HitsIn(hits, DocumentField.Body, body.Length);

        int start, end;
        if (bodyHits.Count == 0)
        {
            start = 0;
            end = Math.Min(body.Length, SnippetLength);
        }
        else
        {
            // Some context before the first hit, the rest after it.
            start = Math.Max(0, bodyHits[0].Start - SnippetLength / 3);
            end = Math.Min(body.Length, start + SnippetLength);
            start = Math.Max(0, end - SnippetLength);
            // Don't start or end mid-word when a space is close by (never cutting into the first hit).
            if (start > 0 && body.IndexOf(' ', start, Math.Min(20, bodyHits[0].Start - start)) is var space and >= 0)
                start = space + 1;
        }
        if (end < body.Length && body.LastIndexOf(' ', end - 1, Math.Min(20, end - start)) is var cut and > 0
            && (bodyHits.Count == 0 || cut >= bodyHits[0].Start + bodyHits[0].Length))
            end = cut;

        var runs = Segments(body, bodyHits, start, end).ToList();
        if (start > 0)
            runs.Insert(0, ("…", false));
        if (end < body.Length)
            runs.Add(("…", false));
        return runs;
    }

    /// <summary>
    /// The hits in one field, normalised: clamped to the text (stored text can be shorter than what was matched),
    /// sorted, and overlapping or touching hits merged. The one place stored hits are cleaned up for display.
    /// </summary>
    public static List<(int Start, int Length)> HitsIn(IReadOnlyList<Hit> hits, DocumentField field, int textLength)
    {
        var ranges = hits
            .Where(h => h.Field == field && h.Length > 0 && h.Start >= 0 && h.Start < textLength)
            .Select(h => (Start: h.Start, End: Math.Min(textLength, h.Start + h.Length)))
            .OrderBy(r => r.Start)
            .ToList();
        var merged = new List<(int Start, int Length)>();
        foreach (var (s, e) in ranges)
        {
            if (merged.Count > 0 && s <= merged[^1].Start + merged[^1].Length)
            {
                var last = merged[^1];
                merged[^1] = (last.Start, Math.Max(last.Start + last.Length, e) - last.Start);
            }
            else
                merged.Add((s, e - s));
        }
        return merged;
    }

    private static IEnumerable<(string Text, bool Hit)> Segments(string text, List<(int Start, int Length)> hits, int start, int end)
    {
        var pos = start;
        foreach (var (hitStart, hitLength) in hits)
        {
            var s = Math.Max(hitStart, start);
            var e = Math.Min(hitStart + hitLength, end);
            if (e <= s || s < pos)
                continue;
            if (s > pos)
                yield return (text[pos..s], false);
            yield return (text[s..e], true);
            pos = e;
        }
        if (pos < end)
            yield return (text[pos..end], false);
    }
}
