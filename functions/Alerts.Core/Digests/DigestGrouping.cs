using System.Text;

namespace Alerts.Core.Digests;

/// <summary>One story in a digest: the item shown in full, and the same story from other feeds.</summary>
public sealed record DigestGroup(DigestItem Lead, IReadOnlyList<DigestItem> Others);

/// <summary>
/// Folds the same story carried by several feeds (wire copy, syndication, a link posted twice) into one entry, so a
/// digest lists stories rather than repeats. Two items are the same story when their links match (ignoring scheme,
/// "www.", query and fragment) or their titles match after folding case, punctuation and spacing.
/// </summary>
public static class DigestGrouping
{
    /// <summary>Short titles ("Live updates", "Opinion") are too generic to prove two items are the same story.</summary>
    public const int MinTitleKeyLength = 24;

    public static IReadOnlyList<DigestGroup> Group(IReadOnlyList<DigestItem> items)
    {
        var groups = new List<List<DigestItem>>();
        var byKey = new Dictionary<string, int>(StringComparer.Ordinal);
        // Oldest first so the lead is the earliest report; ties broken by id for a stable result.
        foreach (var item in items.OrderBy(i => i.Article.PublishedAt).ThenBy(i => i.Article.Id, StringComparer.Ordinal))
        {
            var keys = Keys(item).ToList();
            var index = keys.Select(k => byKey.TryGetValue(k, out var g) ? g : -1).FirstOrDefault(g => g >= 0, -1);
            if (index < 0)
            {
                index = groups.Count;
                groups.Add([]);
            }
            groups[index].Add(item);
            foreach (var key in keys)
                byKey.TryAdd(key, index);
        }

        return groups
            .Select(g =>
            {
                // The copy whose text actually shows the match makes the better lead.
                var lead = g.OrderByDescending(i => i.Hits.Count).First();
                return new DigestGroup(lead, g.Where(i => !ReferenceEquals(i, lead)).ToList());
            })
            .OrderByDescending(g => g.Lead.Article.PublishedAt)
            .ThenBy(g => g.Lead.Article.Id, StringComparer.Ordinal)
            .ToList();
    }

    private static IEnumerable<string> Keys(DigestItem item)
    {
        if (Matching.MatchedText.SafeLink(item.Article.Link) is { } link && Uri.TryCreate(link, UriKind.Absolute, out var uri))
        {
            var host = uri.Host.StartsWith("www.", StringComparison.OrdinalIgnoreCase) ? uri.Host[4..] : uri.Host;
            // The query can name the article (?id=123), so it stays; only tracking parameters are dropped.
            var query = string.Join('&', uri.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries)
                .Where(p => !p.StartsWith("utm_", StringComparison.OrdinalIgnoreCase))
                .Order(StringComparer.Ordinal));
            yield return "link:" + host.ToLowerInvariant() + uri.AbsolutePath.TrimEnd('/') + "?" + query;
        }
        var title = FoldTitle(item.Article.Title);
        if (title.Length >= MinTitleKeyLength)
            yield return "title:" + title;
    }

    private static string FoldTitle(string title)
    {
        var folded = new StringBuilder(title.Length);
        foreach (var c in title.Normalize(NormalizationForm.FormKC))
        {
            if (char.IsLetterOrDigit(c))
                folded.Append(char.ToLowerInvariant(c));
            else if (folded.Length > 0 && folded[^1] != ' ')
                folded.Append(' ');
        }
        return folded.ToString().Trim();
    }
}
