using Alerts.Core.Digests;
using Alerts.Core.Matching;
using Microsoft.Extensions.Options;

namespace Alerts.Core.Tests.Digests;

/// <summary>
/// A subscriber's query may be hostile to the plain evaluator (ten stop words within a hundred words), and digest-send
/// workers are shared: the email's "why" costs what its hits cost, whatever the query and the article. Before, the
/// composer re-ran the evaluator per item: this digest took 3 min 45 s of CPU to compose.
/// </summary>
public sealed class DigestWhyCostTests
{
    private const string NearProbe = "\"the of and to in a that is on for\"~100";

    [Fact]
    public async Task A_digest_of_long_articles_for_a_query_of_stop_words_within_a_hundred_words_composes_in_bounded_time()
    {
        var s = DigestTestData.Subscription(query: NearProbe);
        var body = string.Join(' ', Enumerable.Repeat("the of and to in a that is on for", 3_000)); // the 30,000 characters an article keeps
        var first = DigestTestData.Article("long0", title: "Story 0", summary: body);
        // The bounded hits the match row stores; every article has the same body and no hit in its title.
        var hits = MatchHits.Bound(QueryEvaluator.Evaluate(QueryParser.Parse(NearProbe), MatchedText.Document(first)) ?? []).Kept;
        Assert.NotEmpty(hits);
        var items = Enumerable.Range(0, 50)
            .Select(i => new DigestItem(DigestTestData.Article($"long{i}", title: $"Story {i}", summary: body), hits)).ToList();
        var composer = new DigestComposer(Options.Create(DigestTestData.Site), DigestTestData.Writer(), DigestTestData.Links());

        var message = await composer.ComposeAsync(s, "daily-2026-11-26", items, first.FirstSeenAt).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(50, System.Text.RegularExpressions.Regex.Matches(message.TextBody ?? "", "  Why: the, of, and in the text").Count);
    }
}
