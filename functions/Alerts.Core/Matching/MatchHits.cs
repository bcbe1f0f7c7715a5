namespace Alerts.Core.Matching;

/// <summary>
/// Bounds what a match row stores: an OR of fifty common words can hit a long article thousands of times, which once
/// overflowed the row (PropertyValueTooLarge). The email marks hits in the title and in the snippet near the first
/// body hit, so every title hit is kept and then the earliest body hits, up to <see cref="MaxHits"/>.
/// </summary>
public static class MatchHits
{
    public const int MaxHits = 32;

    /// <returns>The hits to store, and how many were dropped.</returns>
    public static (IReadOnlyList<Hit> Kept, int Dropped) Bound(IReadOnlyList<Hit> hits)
    {
        if (hits.Count <= MaxHits)
            return (hits, 0);
        var kept = hits.OrderBy(h => h.Field).ThenBy(h => h.Start).Take(MaxHits).ToList();
        return (kept, hits.Count - kept.Count);
    }
}
