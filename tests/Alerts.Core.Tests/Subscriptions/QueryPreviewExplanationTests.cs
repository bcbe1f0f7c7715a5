using Alerts.Core.Matching;
using Alerts.Core.Feeds;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

[Collection(StorageCollection.Name)]
public sealed class QueryPreviewExplanationTests(AzuriteFixture azurite)
{
    private static readonly DateTimeOffset Now = new(2026, 11, 26, 6, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Each_previewed_story_says_where_the_query_matched_it()
    {
        using var services = CoreTestServices.Build(await azurite.ResetAsync(), new FakeTimeProvider(Now));
        var articles = services.GetRequiredService<ArticleStore>();
        await articles.TryAddAsync(new Article("feed1", "a", "DACA ruling expected", "https://news.test/a", "",
            "Judges weigh the sanctuary city policy of Chicago.", Now.AddHours(-1), Now.AddHours(-1), "News", "news.test"));
        await articles.TryAddAsync(new Article("feed1", "b", "Weather", "https://news.test/b", "",
            "Rain in Chicago.", Now.AddHours(-2), Now.AddHours(-2), "News", "news.test"));
        var preview = services.GetRequiredService<QueryPreview>();

        var result = await preview.RunAsync(ParsedQuery.Parse("DACA AND \"sanctuary city\""), null);

        var story = Assert.Single(result.Articles);
        Assert.Equal("DACA in the title; sanctuary city in the text", story.Why);
    }
}
