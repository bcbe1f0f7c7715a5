using System.Diagnostics;

namespace Alerts.Core.Feeds.Parsing;

/// <summary>Caps that keep one document's parse linear in its size and short in time, whatever its shape.</summary>
/// <param name="MaxDepth">Elements nested deeper than this are flattened into their parent (their text is kept).</param>
/// <param name="MaxElements">The document is read up to this many elements and closed there, like a truncated one.</param>
/// <param name="MaxCharacters">Text past this many characters is not read (the fetcher's byte cap is the first line).</param>
/// <param name="TimeBudget">Wall time one parse may take; checked as it goes, so a parse that exceeds it stops.</param>
public sealed record FeedParseLimits(int MaxDepth, int MaxElements, int MaxCharacters, TimeSpan TimeBudget)
{
    public static FeedParseLimits Default { get; } = new(MaxDepth: 64, MaxElements: 200_000, MaxCharacters: 16 * 1024 * 1024, TimeSpan.FromSeconds(2));
}

/// <summary>Thrown when a parse runs past its time budget or is cancelled; reported on the feed, never retried hot.</summary>
public sealed class FeedParseBudgetException(string message) : Exception(message);

/// <summary>
/// The running cost of one parse: work (characters and nodes visited) is counted, so tests can prove cost is linear
/// without timing anything, and the clock and cancellation are checked every so often.
/// </summary>
internal sealed class ParseBudget(FeedParseLimits limits, CancellationToken cancellationToken)
{
    private readonly long _deadline = Stopwatch.GetTimestamp() + (long)(limits.TimeBudget.TotalSeconds * Stopwatch.Frequency);
    private long _nextCheck = 16 * 1024;

    public FeedParseLimits Limits => limits;

    /// <summary>Characters and nodes visited so far, by every stage.</summary>
    public long Work { get; private set; }

    public void Add(long work)
    {
        Work += work;
        if (Work >= _nextCheck)
        {
            _nextCheck = Work + 16 * 1024;
            Check();
        }
    }

    public void Check()
    {
        if (cancellationToken.IsCancellationRequested)
            throw new FeedParseBudgetException("Parse cancelled");
        if (Stopwatch.GetTimestamp() > _deadline)
            throw new FeedParseBudgetException($"Parse took longer than its budget of {Describe(limits.TimeBudget)}");
    }

    private static string Describe(TimeSpan budget) => budget < TimeSpan.FromSeconds(1)
        ? $"{budget.TotalMilliseconds.ToString("0", System.Globalization.CultureInfo.InvariantCulture)} ms"
        : $"{budget.TotalSeconds.ToString("0.##", System.Globalization.CultureInfo.InvariantCulture)} s";
}
