using Alerts.Core.Feeds;
using Alerts.Core.Matching;
using Alerts.Core.Subscriptions;
using Alerts.Core.Tests.Digests;
using Alerts.Core.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Alerts.Core.Tests.Subscriptions;

/// <summary>A subscription restricted to some sites gets matches only from them; the settings survive storage.</summary>
[Collection(StorageCollection.Name)]
public sealed class SiteRestrictionMatchTests(AzuriteFixture fixture)
{
    [Fact]
    public async Task Only_articles_from_the_chosen_sites_are_recorded_as_matches()
    {
        var storage = await fixture.ResetAsync();
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 11, 26, 12, 0, 0, TimeSpan.Zero));
        // The matching services as the hosts register them, so the test follows the index's own wiring.
        using var services = CoreTestServices.Build(storage, time, new Dictionary<string, string?> { ["Matching:IndexRefreshInterval"] = "00:00:00" });
        var subscriptions = services.GetRequiredService<SubscriptionStore>();
        var articles = services.GetRequiredService<ArticleStore>();
        var everywhere = DigestTestData.Subscription(query: "DACA");
        var reutersOnly = DigestTestData.Subscription(query: "DACA") with { Sites = ["reuters.com"], MaxItems = 3 };
        await subscriptions.AddAsync(everywhere);
        await subscriptions.AddAsync(reutersOnly);
        var handler = services.GetRequiredService<ArticleMatchHandler>();
        var fromReuters = DigestTestData.Article("r1") with { Site = "https://www.reuters.com" };
        var fromElsewhere = DigestTestData.Article("e1") with { Site = "https://notreuters.com" };
        await articles.TryAddAsync(fromReuters);
        await articles.TryAddAsync(fromElsewhere);

        Assert.Equal(2, await handler.HandleAsync(new ArticleMatchMessage(fromReuters.Id)));
        Assert.Equal(1, await handler.HandleAsync(new ArticleMatchMessage(fromElsewhere.Id)));

        var matches = services.GetRequiredService<MatchStore>();
        Assert.Equal([fromReuters.Id], (await matches.ListAsync(reutersOnly.Id)).Select(m => m.ArticleId));
        Assert.Equal(2, (await matches.ListAsync(everywhere.Id)).Count);
        var stored = await subscriptions.GetAsync(reutersOnly.Id);
        Assert.Equal(["reuters.com"], stored!.Sites);
        Assert.Equal(3, stored.MaxItems);
    }
}
