using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>
/// The preview is anonymous, so its cost per request must be bounded whatever the query and the stored articles:
/// the probes of the abuse review (a 50-word phrase of one word, ten stop words ~100) over articles full of
/// those words, a work budget, and a client that gives up.
/// </summary>
[Collection(StorageCollection.Name)]
public sealed class QueryPreviewCostTests(AzuriteFixture azurite) : IDisposable
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    private static readonly string PhraseProbe = "\"" + string.Join(' ', Enumerable.Repeat("xx", 50)) + "\"";
    private const string NearProbe = "\"the of and to in a that is on for\"~100";

    private readonly CoreInstances _instances = new();

    public void Dispose() => _instances.Dispose();

    private async Task<(QueryPreview Preview, int Stored)> StoreAsync(int count, Func<int, string> body, long workBudget = QueryPreview.WorkBudget)
    {
        var services = _instances.Start(await azurite.ResetAsync(), new FakeTimeProvider(Now));
        var articles = services.GetRequiredService<ArticleStore>();
        for (var i = 0; i < count; i++)
            await articles.TryAddAsync(new Article("feed1", $"item{i:D4}", $"Story {i}", $"https://news.test/{i}", "", body(i),
                Now.AddMinutes(-i - 1), Now.AddMinutes(-i - 1), "News", "news.test"));
        // The work budget is a constructor argument, not a setting: the graph's preview with this test's budget.
        return (ActivatorUtilities.CreateInstance<QueryPreview>(services, workBudget), count);
    }

    private static string Repeat(string words, int times) => string.Join(' ', Enumerable.Repeat(words, times));

    [Fact]
    public async Task A_long_phrase_of_one_word_over_articles_full_of_that_word_finishes_promptly()
    {
        var (preview, stored) = await StoreAsync(117, _ => Repeat("xx", 3000));

        // Quadratic evaluation took minutes here; linear matching takes milliseconds, so a minute is a wide margin.
        var result = await preview.RunAsync(ParsedQuery.Parse(PhraseProbe), null).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(stored, result.Scanned);
        Assert.Equal(stored, result.Count);
        Assert.True(result.Complete);
    }

    [Fact]
    public async Task Ten_stop_words_within_a_hundred_over_articles_of_stop_words_finishes_promptly()
    {
        var (preview, stored) = await StoreAsync(117, _ => Repeat("the of and to in a that is on for", 300));

        var result = await preview.RunAsync(ParsedQuery.Parse(NearProbe), null).WaitAsync(TimeSpan.FromMinutes(1));

        Assert.Equal(stored, result.Count);
        Assert.True(result.Complete);
    }

    [Fact]
    public async Task A_preview_stops_at_its_work_budget_and_says_it_looked_at_the_newest_articles_only()
    {
        const int perArticle = 1000;
        var (preview, stored) = await StoreAsync(15, i => "DACA " + new string('x', perArticle), workBudget: 10 * perArticle);

        var result = await preview.RunAsync(ParsedQuery.Parse("DACA"), null);

        Assert.False(result.Complete);
        Assert.InRange(result.Scanned, 1, 10);
        Assert.True(result.Scanned < stored);
        Assert.Equal("Story 0", result.Articles[0].Title); // newest first: the budget drops the oldest
    }

    [Fact]
    public async Task A_preview_whose_client_gave_up_stops_working()
    {
        var (preview, _) = await StoreAsync(3, _ => "DACA news");
        await preview.RunAsync(ParsedQuery.Parse("DACA"), null); // the article window is now cached: no storage call left to notice
        using var gaveUp = new CancellationTokenSource();
        await gaveUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => preview.RunAsync(ParsedQuery.Parse("DACA"), null, gaveUp.Token));
    }

    [Fact]
    public void Every_probe_is_a_query_the_parser_allows()
    {
        ParsedQuery.Parse(PhraseProbe);
        ParsedQuery.Parse(NearProbe);
    }
}
