namespace Alerts.Core.Matching;

/// <summary>
/// Per-thread working memory for <see cref="SubscriptionIndex.Match"/>, one part per stage: the article's tokens
/// (<see cref="ArticleScanner"/>), its key occurrences (<see cref="ScannedArticle"/>), the candidates
/// (<see cref="CandidateScan"/>), the program interpreter (verification) and the results. Reused across articles
/// so that matching allocates little beyond its results; each part clears only what the last article touched.
/// </summary>
internal sealed class MatchScratch
{
    public readonly ArticleTokens Tokens = new();
    public readonly ScannedArticle Article = new();
    public readonly CandidateSet Candidates = new();
    public readonly MatchResults Results = new();
    public readonly ProgramInterpreter Interpreter;

    public MatchScratch() => Interpreter = new ProgramInterpreter(Article);

    public void Begin(int keyCount, int slotCount)
    {
        Article.Begin(keyCount);
        Candidates.Begin(slotCount);
        Results.Begin(slotCount, Candidates.Capacity);
    }
}
